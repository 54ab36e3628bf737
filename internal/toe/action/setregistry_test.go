package action

import (
	"reflect"
	"strings"
	"testing"
)

func TestSetRegistryData(t *testing.T) {
	t.Parallel()
	cases := []struct {
		typ, value string
		want       any
		wantErr    string
	}{
		{typ: "SZ", value: "hello", want: "hello"},
		{typ: "EXPAND_SZ", value: "'%SystemRoot%'", want: expandString("%SystemRoot%")},
		{typ: "DWORD", value: "42", want: uint32(42)},
		{typ: "DWORD", value: "0xff", want: uint32(255)},
		{typ: "DWORD", value: "4294967296", wantErr: "DWORD needs a whole number from 0 to 4294967295"},
		{typ: "DWORD", value: "-1", wantErr: "DWORD needs a whole number"},
		{typ: "QWORD", value: "4294967296", want: uint64(1) << 32},
		{typ: "MULTI_SZ", value: "[a, b]", want: []string{"a", "b"}},
		{typ: "MULTI_SZ", value: "one", want: []string{"one"}},
		{typ: "MULTI_SZ", value: "{a: b}", wantErr: "MULTI_SZ needs a list of strings"},
		{typ: "BINARY", value: "'0a 1B,ff'", want: []byte{0x0a, 0x1b, 0xff}},
		{typ: "BINARY", value: "[1, 0x10, 255]", want: []byte{1, 16, 255}},
		{typ: "BINARY", value: "[256]", wantErr: "byte values 0-255"},
		{typ: "BINARY", value: "xyz", wantErr: "BINARY needs hex digits"},
		{typ: "SZ", value: "[a]", wantErr: "SZ needs a single value"},
	}
	for _, tc := range cases {
		got, err := registryData(tc.typ, sysInputs(t, tc.value))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("registryData(%s, %s) err = %v, want %q", tc.typ, tc.value, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("registryData(%s, %s) = %#v, %v; want %#v", tc.typ, tc.value, got, err, tc.want)
		}
	}
}

func TestSetRegistryPath(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, root, sub string }{
		{`HKLM:\SOFTWARE\Example`, "HKEY_LOCAL_MACHINE", `SOFTWARE\Example`},
		{`hkcu:\Software\X\`, "HKEY_CURRENT_USER", `Software\X`},
		{`HKEY_USERS\.DEFAULT`, "HKEY_USERS", `.DEFAULT`},
		{`HKCR:/txtfile/shell`, "HKEY_CLASSES_ROOT", `txtfile\shell`},
		{`HKCC:`, "HKEY_CURRENT_CONFIG", ``},
		{`HKLM\SOFTWARE`, "", ""},
		{`SOFTWARE\X`, "", ""},
	}
	for _, tc := range cases {
		root, sub, err := parseRegistryPath(tc.in)
		if tc.root == "" {
			if err == nil {
				t.Errorf("parseRegistryPath(%q) = %q, %q; want an error", tc.in, root, sub)
			}
			continue
		}
		if err != nil || root != tc.root || sub != tc.sub {
			t.Errorf("parseRegistryPath(%q) = %q, %q, %v; want %q, %q", tc.in, root, sub, err, tc.root, tc.sub)
		}
	}
}

func TestSetRegistryCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		inputs string
		want   string // first problem; "" means none
	}{
		{inputs: `[{path: 'HKLM:\SOFTWARE\X', name: a, value: 1, type: DWORD}, {path: 'HKLM:\SOFTWARE\X', name: b, value: [x, y], type: multi_sz}]`},
		{inputs: `[{path: '{{ Key }}', name: a, value: '{{ Num }}', type: QWORD}]`},
		{inputs: `[{path: 'HKLM:\X', name: a, value: [x, '{{ Yes }}'], type: DWORD}]`},
		{inputs: `[{path: 'HKXX:\X', name: a, value: 1, type: DWORD}]`, want: "inputs[0].path: registry path"},
		{inputs: `[{path: 'HKLM:\X', name: a, value: 1, type: WORD}]`, want: `inputs[0].type: unknown registry type "WORD"`},
		{inputs: `[{path: 'HKLM:\X', name: a, value: big, type: DWORD}]`, want: "inputs[0].value: DWORD needs a whole number"},
		{inputs: `[{path: 'HKLM:\X', value: 1, type: DWORD}]`, want: "inputs[0].name: required"},
		{inputs: `{path: 'HKLM:\X', name: a, value: 1, type: DWORD}`, want: "inputs: SetRegistry takes a list of items"},
	}
	for _, tc := range cases {
		got := sysCheckInputs[SetRegistryInputs](t, "SetRegistry", tc.inputs)
		if (tc.want == "") != (len(got) == 0) || (tc.want != "" && !strings.HasPrefix(got[0], tc.want)) {
			t.Errorf("%s: problems %q, want %q", tc.inputs, got, tc.want)
		}
	}
}
