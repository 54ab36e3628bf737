package action

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

// ReadFileInputs is one ReadFile item.
type ReadFileInputs struct {
	Path             string `input:"path,required"`
	Encoding         string `input:"encoding"`         // default utf8
	PrintFileContent bool   `input:"printFileContent"` // default false
}

func init() {
	Register(NewListModule(Spec[ReadFileInputs]{
		Name:    "ReadFile",
		Outputs: []string{"content"},
		Check: func(in *ReadFileInputs, p *Problems) {
			fsCheckPath(p, "path", in.Path)
			fsCheckEncoding(p, "encoding", in.Encoding)
		},
	}, runReadFile))
}

// runReadFile reads text files, following symbolic links. Output content
// is the text exactly as stored; with several items the texts are joined
// with a newline (UNCONFIRMED).
func runReadFile(ctx context.Context, env *Env, items []*ReadFileInputs) (Output, error) {
	var parts []string
	if _, err := fsEach(ctx, items, func(in *ReadFileInputs) error {
		path := fsAbs(env, in.Path)
		text, err := readTextFile(path, in.Encoding)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if in.PrintFileContent && env.Console != nil {
			fsPrint(env.Console, text)
		}
		fsLog(env).Info("read file", "path", path, "bytes", len(text))
		parts = append(parts, text)
		return nil
	}); err != nil {
		return nil, err
	}
	return Output{"content": strings.Join(parts, "\n")}, nil
}

func readTextFile(path, enc string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fsExplain(path, err, "check the path, or create the file in an earlier step")
	}
	if fi.IsDir() {
		return "", fmt.Errorf("%s is a folder; give the path of a file (ListFiles lists a folder)", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fsExplain(path, err, "")
	}
	return fsDecode(enc, data)
}

// fsPrint writes text to the console, ending it with a newline.
func fsPrint(w io.Writer, text string) {
	io.WriteString(w, text)
	if !strings.HasSuffix(text, "\n") {
		io.WriteString(w, "\n")
	}
}
