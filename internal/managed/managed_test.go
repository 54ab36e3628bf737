package managed_test

import (
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/managed"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

func TestShippedComponentsAreValid(t *testing.T) {
	t.Parallel()
	names := managed.Names()
	for _, want := range []string{"update-linux", "reboot-linux", "simple-boot-test-linux", "reboot-test-linux"} {
		c, err := managed.Get(want)
		if err != nil {
			t.Fatalf("%s: %v (have %v)", want, err, names)
		}
		if _, err := component.Load(want+".yaml", c.Data, action.Set{}); err != nil {
			t.Errorf("%s is invalid:\n%v", want, err)
		}
	}
}

func TestGetVersions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ref string
		ok  bool
	}{{"update-linux", true}, {"Update-Linux/1.0.0", true}, {"update-linux/1.x.x", true}, {"update-linux/x.x.x", true}, {"update-linux/2.0.0", false}, {"nope", false}} {
		_, err := managed.Get(tc.ref)
		if (err == nil) != tc.ok {
			t.Errorf("Get(%q) err = %v, want ok=%v", tc.ref, err, tc.ok)
		}
	}
}
