package action

// Helpers shared by the download and upload modules (s3download.go,
// s3upload.go, webdownload.go). Names start with xfer so they do not
// collide with other modules' helpers in this package.

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// xferConsole is where progress lines go.
func xferConsole(env *Env) io.Writer {
	if env == nil || env.Console == nil {
		return io.Discard
	}
	return env.Console
}

func xferIsDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// xferWriteFile writes target through a temporary file in its folder, so
// target is never left half written and a failed write leaves nothing
// behind. With overwrite false an existing target is an error (checked
// again just before the rename).
func xferWriteFile(target string, overwrite bool, write func(io.Writer) error) (err error) {
	tmp, err := xferCreateTemp(target)
	if err != nil {
		return fmt.Errorf("create %s: %w", target, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	if !overwrite {
		if _, err := os.Lstat(target); err == nil {
			return xferExists(target)
		}
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	return nil
}

// xferCreateTemp creates a hidden temporary file next to target with the
// usual 0644 permissions (less umask), unlike os.CreateTemp's 0600.
func xferCreateTemp(target string) (*os.File, error) {
	for {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		name := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".part-"+hex.EncodeToString(b))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return f, err
	}
}

// xferExists is the error for an existing target with overwrite false.
func xferExists(target string) error {
	return fsErrf(os.ErrExist, "%s: file already exists and \"overwrite\" is set to false; set overwrite: true to replace it", target)
}
