package build

import "testing"

func TestLooksLikeFile(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"update-linux": false, "update-linux/1.0.0": false, "update-linux/1.x.x": false,
		"hello.yaml": true, "components/nginx.yaml": true, "dir/component": true, "c.json": true, `dir\c`: true,
	} {
		if got := looksLikeFile(s); got != want {
			t.Errorf("looksLikeFile(%q) = %v, want %v", s, got, want)
		}
	}
}
