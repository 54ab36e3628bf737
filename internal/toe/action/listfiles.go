package action

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ListFilesInputs is one ListFiles item.
type ListFilesInputs struct {
	Path            string `input:"path,required"`   // the folder
	FileNamePattern string `input:"fileNamePattern"` // default: every file
	Recursive       bool   `input:"recursive"`       // default false
}

func init() {
	Register(NewListModule(Spec[ListFilesInputs]{
		Name:    "ListFiles",
		Outputs: []string{"files"},
		Check:   checkListFiles,
	}, runListFiles))
}

func checkListFiles(in *ListFilesInputs, p *Problems) {
	fsCheckPath(p, "path", in.Path)
	if in.FileNamePattern != "" && !p.Dynamic(in.FileNamePattern) {
		if _, err := filepath.Match(in.FileNamePattern, ""); err != nil {
			p.Add("fileNamePattern", "%q is not a valid file name pattern (%v); use * and ? wildcards, e.g. \"*.log\"", in.FileNamePattern, err)
		}
	}
}

// runListFiles lists the files (not folders) in a folder whose names match
// the pattern, in lexical order. Output files is the comma-separated list
// of full paths; with several items the lists are joined in item order
// (UNCONFIRMED).
func runListFiles(ctx context.Context, env *Env, items []*ListFilesInputs) (Output, error) {
	var all []string
	if _, err := fsEach(ctx, items, func(in *ListFilesInputs) error {
		path := fsAbs(env, in.Path)
		files, err := listFiles(ctx, path, in.FileNamePattern, in.Recursive)
		if err != nil {
			return fmt.Errorf("list files in %s: %w", path, err)
		}
		fsLog(env).Info("listed files", "path", path, "count", len(files))
		all = append(all, files...)
		return nil
	}); err != nil {
		return nil, err
	}
	return Output{"files": strings.Join(all, ",")}, nil
}

func listFiles(ctx context.Context, dir, pattern string, recursive bool) ([]string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fsExplain(dir, err, "check the path, or create the folder in an earlier step")
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is a file; give the folder to list", dir)
	}
	// Walk the resolved folder (WalkDir does not enter a link) but report
	// paths under the folder as the user named it.
	root := dir
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		root = real
	}
	var out []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fsExplain(p, err, "")
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && !recursive {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if t, err := os.Stat(p); err == nil && t.IsDir() {
				return nil // a link to a folder is not a file
			}
		}
		if pattern != "" {
			if ok, _ := filepath.Match(pattern, d.Name()); !ok {
				return nil
			}
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.Join(dir, rel))
		return nil
	})
	return out, err
}
