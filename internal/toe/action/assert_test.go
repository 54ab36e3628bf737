package action

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAssert(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(file, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		inputs  string
		wantErr string // "" means the assertion holds
	}{
		{name: "stringEquals true", inputs: "stringEquals: '2.1.1'\nvalue: '2.1.1'"},
		{name: "stringEquals false", inputs: "stringEquals: '2.1.1'\nvalue: '2.1.0'", wantErr: `assertion failed: stringEquals: "2.1.1", value: "2.1.0"`},
		{name: "stringEquals is case-sensitive", inputs: "stringEquals: abc\nvalue: ABC", wantErr: `stringEquals: "abc", value: "ABC"`},
		{name: "stringLessThan", inputs: "stringLessThan: B\nvalue: a"},
		{name: "stringGreaterThanEquals false", inputs: "stringGreaterThanEquals: b\nvalue: a", wantErr: `stringGreaterThanEquals: "b", value: "a"`},
		{name: "numberGreaterThan", inputs: "numberGreaterThan: 3\nvalue: '10'"},
		{name: "numberLessThanEquals false", inputs: "numberLessThanEquals: 3\nvalue: 4.5", wantErr: `numberLessThanEquals: "3", value: "4.5"`},
		{name: "number vs text is false", inputs: "numberEquals: 1\nvalue: one", wantErr: "assertion failed"},
		{name: "stringIsEmpty", inputs: "stringIsEmpty: ''"},
		{name: "stringIsWhitespace false", inputs: "stringIsWhitespace: 'x '", wantErr: `stringIsWhitespace: "x "`},
		{name: "patternMatches", inputs: "patternMatches: '^[a-z]+$'\nvalue: abc"},
		{name: "fileExists", inputs: "fileExists: " + file},
		{name: "folderExists false", inputs: "folderExists: " + file, wantErr: "folderExists: " + `"` + file + `"`},
		{name: "fileSHA256Equals", inputs: "fileSHA256Equals: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\npath: " + file},
		{name: "binaryExists", inputs: "binaryExists: sh"},
		{name: "and names the false part", inputs: "and:\n  - stringEquals: a\n    value: a\n  - numberLessThan: 3\n    value: 5", wantErr: `assertion failed: and: [{stringEquals: "a", value: "a"}, {numberLessThan: "3", value: "5"}]; false: numberLessThan: "3", value: "5"`},
		{name: "or", inputs: "or:\n  - stringIsEmpty: x\n  - stringEquals: y\n    value: y"},
		{name: "not", inputs: "not:\n  fileExists: /nonexistent/file"},
		{name: "not false", inputs: "not:\n  stringIsEmpty: ''", wantErr: `assertion failed: not: {stringIsEmpty: ""}`},
		{name: "unknown operator", inputs: "stringEqual: a\nvalue: a", wantErr: `inputs.stringEqual: unknown operator "stringEqual" (did you mean "stringEquals"?)`},
		{name: "then not allowed", inputs: "stringIsEmpty: ''\nthen: Skip", wantErr: "only at the top of a step's `if`"},
		{name: "bad regex", inputs: "patternMatches: '('\nvalue: x", wantErr: "not a valid regular expression"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env, _ := sysEnv(t)
			out, err := sysRun(t, t.Context(), env, "Assert", tc.inputs)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v, want success", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if len(out) != 0 {
				t.Errorf("output = %v, want none", out)
			}
		})
	}
}
