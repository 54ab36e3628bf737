package action

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CreateFileInputs is one CreateFile item.
type CreateFileInputs struct {
	Path        string `input:"path,required"`
	Content     string `input:"content"`     // default ""
	Encoding    string `input:"encoding"`    // default utf8
	Owner       string `input:"owner"`       // default: unchanged (the runner's user)
	Group       string `input:"group"`       // default: the owner's primary group when owner is set
	Permissions string `input:"permissions"` // default 0666 before umask
	Overwrite   bool   `input:"overwrite"`   // default true
}

func init() {
	Register(NewListModule(Spec[CreateFileInputs]{
		Name:     "CreateFile",
		Defaults: func(in *CreateFileInputs) { in.Overwrite = true },
		Check:    checkCreateFile,
	}, runCreateFile))
}

func checkCreateFile(in *CreateFileInputs, p *Problems) {
	fsCheckPath(p, "path", in.Path)
	fsCheckEncoding(p, "encoding", in.Encoding)
	if in.Permissions != "" {
		fsCheckMode(p, "permissions", in.Permissions)
	}
	fsCheckUnixOnly(p, map[string]string{"owner": in.Owner, "group": in.Group, "permissions": in.Permissions})
}

func runCreateFile(ctx context.Context, env *Env, items []*CreateFileInputs) (Output, error) {
	return fsEach(ctx, items, func(in *CreateFileInputs) error {
		path := fsAbs(env, in.Path)
		if err := createFile(path, in); err != nil {
			return fmt.Errorf("create file %s: %w", path, err)
		}
		fsLog(env).Info("created file", "path", path, "bytes", len(in.Content))
		return nil
	})
}

func createFile(path string, in *CreateFileInputs) (err error) {
	data, err := fsEncode(in.Encoding, in.Content)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fsErrf(fs.ErrExist, "%s is a folder; remove it with DeleteFolder or choose another path", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return fsExplain(filepath.Dir(path), err, "")
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if !in.Overwrite {
		flags |= os.O_EXCL
	}
	f, err := os.OpenFile(path, flags, 0o666)
	if errors.Is(err, fs.ErrExist) {
		return fsExists(path)
	}
	if err != nil {
		return fsExplain(path, err, "")
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return fsApplyAccess(path, in.Owner, in.Group, in.Permissions)
}
