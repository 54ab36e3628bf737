//go:build !windows

package action

import "errors"

func setRegistryValue(root, sub, name string, data any) error {
	return errors.New("the Windows registry exists only on Windows")
}
