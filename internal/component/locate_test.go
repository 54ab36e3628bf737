package component

import "testing"

func TestLocate(t *testing.T) {
	t.Parallel()
	src := []byte("a: 'x {{ A }}'\nb: |\n  line\n  ü {{ B }}\nc: \"\\x7b{ C }}\"\n")
	tests := []struct {
		from Pos
		text string
		want Pos
	}{
		{Pos{1, 4}, "{{ A }}", Pos{1, 7}},
		{Pos{2, 4}, "{{ B }}", Pos{4, 5}}, // a block scalar, and a two-byte rune before it
		{Pos{5, 4}, "{{ C }}", Pos{5, 4}}, // written with an escape: not found, the scalar's position
		{Pos{4, 4}, "{{ A }}", Pos{4, 4}}, // only text at or after the scalar counts
		{Pos{9, 1}, "{{ A }}", Pos{9, 1}}, // past the end
	}
	for _, tt := range tests {
		if got := locate(src, tt.from, tt.text); got != tt.want {
			t.Errorf("locate(%v, %q) = %v, want %v", tt.from, tt.text, got, tt.want)
		}
	}
}
