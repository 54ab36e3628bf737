//go:build windows

package action

import (
	"fmt"

	winreg "golang.org/x/sys/windows/registry"
)

var registryRootKeys = map[string]winreg.Key{
	"HKEY_CLASSES_ROOT":   winreg.CLASSES_ROOT,
	"HKEY_USERS":          winreg.USERS,
	"HKEY_LOCAL_MACHINE":  winreg.LOCAL_MACHINE,
	"HKEY_CURRENT_CONFIG": winreg.CURRENT_CONFIG,
	"HKEY_CURRENT_USER":   winreg.CURRENT_USER,
}

// setRegistryValue creates the key if needed and writes one value; data
// comes from registryData.
func setRegistryValue(root, sub, name string, data any) error {
	k, _, err := winreg.CreateKey(registryRootKeys[root], sub, winreg.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	switch d := data.(type) {
	case expandString:
		return k.SetExpandStringValue(name, string(d))
	case string:
		return k.SetStringValue(name, d)
	case uint32:
		return k.SetDWordValue(name, d)
	case uint64:
		return k.SetQWordValue(name, d)
	case []string:
		return k.SetStringsValue(name, d)
	case []byte:
		return k.SetBinaryValue(name, d)
	}
	return fmt.Errorf("unsupported registry data %T", data)
}
