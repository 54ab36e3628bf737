package action

import (
	"context"
	"fmt"
	"os"
)

// SetFileOwnerInputs is one SetFileOwner item.
type SetFileOwnerInputs struct {
	Path  string `input:"path,required"`
	Owner string `input:"owner,required"` // user name or numeric uid
	Group string `input:"group"`          // default: the owner's primary group
}

func init() {
	Register(NewListModule(Spec[SetFileOwnerInputs]{
		Name: "SetFileOwner",
		OS:   []string{"linux", "darwin"},
		Check: func(in *SetFileOwnerInputs, p *Problems) {
			fsCheckPath(p, "path", in.Path)
			fsCheckOwner(p, in.Owner)
		},
	}, runSetFileOwner))
}

// fsCheckOwner reports an empty owner. Whether the user exists is only
// known at run time: an earlier step may create it.
func fsCheckOwner(p *Problems, owner string) {
	if owner == "" {
		p.Add("owner", "must not be empty; give a user name or a numeric uid")
	}
}

// runSetFileOwner changes a file's owner and group, following a symbolic
// link to its target.
func runSetFileOwner(ctx context.Context, env *Env, items []*SetFileOwnerInputs) (Output, error) {
	return fsEach(ctx, items, func(in *SetFileOwnerInputs) error {
		path := fsAbs(env, in.Path)
		if err := setFileOwner(path, in.Owner, in.Group); err != nil {
			return fmt.Errorf("set owner of %s: %w", path, err)
		}
		fsLog(env).Info("set file owner", "path", path, "owner", in.Owner, "group", in.Group)
		return nil
	})
}

func setFileOwner(path, owner, group string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fsExplain(path, err, "check the path, or create the file in an earlier step")
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a folder; use SetFolderOwner for folders", path)
	}
	uid, gid, err := fsLookupIDs(owner, group)
	if err != nil {
		return err
	}
	return fsExplain(path, os.Chown(path, uid, gid), "")
}
