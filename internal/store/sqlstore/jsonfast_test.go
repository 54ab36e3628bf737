package sqlstore

import (
	"encoding/json"
	"reflect"
	"testing"
)

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":"b"}`, `{"a":"b","c":""}`, `{"platform":["Linux"]}`,
		`{"a":[],"b":["x","y"]}`, `["1","2"]`, `[""]`, `{"a":"b"}x`, `{"a":"b",}`, `{"a":"\u003c"}`, `null`,
		`{"a":null}`, `{ }`, `{"a":"b","a":"c"}`, `{"a":["x"],"a":[]}`, `["a",]`, `{"é":"x"}`, `[`, `{"a"`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var wt map[string]string
		werr := json.Unmarshal([]byte(s), &wt)
		gt, gerr := decodeTags(s)
		if (werr != nil) != (gerr != nil) || (werr == nil && !reflect.DeepEqual(gt, wt)) {
			t.Errorf("tags %q: got %#v, %v; want %#v, %v", s, gt, gerr, wt, werr)
		}
		var wa map[string][]string
		werr = json.Unmarshal([]byte(s), &wa)
		ga, gerr := decodeAttrs(s)
		if (werr != nil) != (gerr != nil) || (werr == nil && !reflect.DeepEqual(ga, wa)) {
			t.Errorf("attrs %q: got %#v, %v; want %#v, %v", s, ga, gerr, wa, werr)
		}
		var ws []string
		werr = json.Unmarshal([]byte(s), &ws)
		gs, gerr := decodeStrings(s)
		if (werr != nil) != (gerr != nil) || (werr == nil && !reflect.DeepEqual(gs, ws)) {
			t.Errorf("strings %q: got %#v, %v; want %#v, %v", s, gs, gerr, ws, werr)
		}
	})
}
