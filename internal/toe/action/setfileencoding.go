package action

import (
	"context"
	"fmt"
	"os"
)

// SetFileEncodingInputs is one SetFileEncoding item.
type SetFileEncodingInputs struct {
	Path     string `input:"path,required"`
	Encoding string `input:"encoding"` // default utf8
}

func init() {
	Register(NewListModule(Spec[SetFileEncodingInputs]{
		Name: "SetFileEncoding",
		Check: func(in *SetFileEncodingInputs, p *Problems) {
			fsCheckPath(p, "path", in.Path)
			fsCheckEncoding(p, "encoding", in.Encoding)
		},
	}, runSetFileEncoding))
}

// runSetFileEncoding re-encodes UTF-8 files (a UTF-8 byte-order mark is
// dropped) in place, keeping their owner and permissions.
func runSetFileEncoding(ctx context.Context, env *Env, items []*SetFileEncodingInputs) (Output, error) {
	return fsEach(ctx, items, func(in *SetFileEncodingInputs) error {
		path := fsAbs(env, in.Path)
		if err := setFileEncoding(path, in.Encoding); err != nil {
			return fmt.Errorf("set encoding of %s: %w", path, err)
		}
		fsLog(env).Info("set file encoding", "path", path, "encoding", in.Encoding)
		return nil
	})
}

func setFileEncoding(path, enc string) (err error) {
	text, err := readTextFile(path, "utf8")
	if err != nil {
		return fmt.Errorf("%w (SetFileEncoding converts UTF-8 files only)", err)
	}
	data, err := fsEncode(enc, text)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fsExplain(path, err, "")
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
