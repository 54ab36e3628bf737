//go:build !linux

package s3test

import "os/exec"

// killWithParent does nothing here: only Linux can tie a child's life to
// its parent's. Cleanups still stop MinIO when tests end normally.
func killWithParent(*exec.Cmd) {}
