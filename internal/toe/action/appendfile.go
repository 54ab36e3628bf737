package action

import (
	"context"
	"fmt"
	"os"
)

// AppendFileInputs is one AppendFile item.
type AppendFileInputs struct {
	Path     string `input:"path,required"`
	Content  string `input:"content"`  // default ""
	Encoding string `input:"encoding"` // default utf8
}

func init() {
	Register(NewListModule(Spec[AppendFileInputs]{Name: "AppendFile", Check: checkAppendFile}, runAppendFile))
}

func checkAppendFile(in *AppendFileInputs, p *Problems) {
	fsCheckPath(p, "path", in.Path)
	fsCheckEncoding(p, "encoding", in.Encoding)
}

// runAppendFile appends content as written; no newline is added
// (UNCONFIRMED: AWSTOE's docs show none being added).
func runAppendFile(ctx context.Context, env *Env, items []*AppendFileInputs) (Output, error) {
	return fsEach(ctx, items, func(in *AppendFileInputs) error {
		path := fsAbs(env, in.Path)
		if err := appendFile(path, in.Content, in.Encoding); err != nil {
			return fmt.Errorf("append to %s: %w", path, err)
		}
		fsLog(env).Info("appended to file", "path", path, "bytes", len(in.Content))
		return nil
	})
}

func appendFile(path, content, enc string) (err error) {
	data, err := fsEncode(enc, content)
	if err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fsExplain(path, err, "create it first with CreateFile")
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a folder; give the path of a file", path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fsExplain(path, err, "create it first with CreateFile")
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	_, err = f.Write(data)
	return err
}
