package action

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// MoveFolderInputs is one MoveFolder item.
type MoveFolderInputs struct {
	Source      string `input:"source,required"` // * allowed in the last element
	Destination string `input:"destination,required"`
	Overwrite   bool   `input:"overwrite"` // default true
}

func init() {
	Register(NewListModule(Spec[MoveFolderInputs]{
		Name:     "MoveFolder",
		Defaults: func(in *MoveFolderInputs) { in.Overwrite = true },
		Check: func(in *MoveFolderInputs, p *Problems) {
			fsCheckCopy(p, in.Source, in.Destination)
		},
	}, runMoveFolder))
}

// runMoveFolder moves folders, creating the destination's parents. Into
// an existing folder (overwrite true) the content is merged, as CopyFolder
// does, and the source is then removed (UNCONFIRMED, see CopyFolder).
func runMoveFolder(ctx context.Context, env *Env, items []*MoveFolderInputs) (Output, error) {
	return fsEach(ctx, items, func(in *MoveFolderInputs) error {
		src, dst := fsAbs(env, in.Source), fsAbsDest(env, in.Destination)
		sources, err := fsSources(src, fs.FileInfo.IsDir)
		if err != nil {
			return fmt.Errorf("move folder %s to %s: %w", src, dst, err)
		}
		for _, s := range sources {
			target := fsTarget(s, dst)
			if err := moveOneFolder(ctx, s, target, in.Overwrite); err != nil {
				return fmt.Errorf("move folder %s to %s: %w", s, target, err)
			}
			fsLog(env).Info("moved folder", "source", s, "destination", target)
		}
		return nil
	})
}

func moveOneFolder(ctx context.Context, src, dst string, overwrite bool) error {
	if err := fsCheckFolderTarget(src, dst, overwrite); err != nil {
		return err
	}
	if _, err := os.Lstat(dst); err == nil {
		return fsMergeMove(ctx, src, dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
		return fsExplain(filepath.Dir(dst), err, "")
	}
	err := os.Rename(src, dst)
	if errors.Is(err, syscall.EXDEV) {
		return fsMergeMove(ctx, src, dst)
	}
	return err
}

// fsMergeMove copies src into dst, replacing files, then removes src.
func fsMergeMove(ctx context.Context, src, dst string) error {
	if err := fsCopyTree(ctx, src, dst, true); err != nil {
		return err
	}
	return os.RemoveAll(src)
}
