package service

import (
	"encoding/json"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

func TestRowCache(t *testing.T) {
	t.Parallel()
	a := arn.MustParse("arn:aws:imagebuilder:goldsmith-local-1:111111111111:component/c/1.0.0/1")
	var c rowCache
	for _, tc := range []struct {
		name     string
		revision int64
		data     string
		want     string
	}{
		{"miss", 1, `{"name":"first","version":"1.0.0","data":"ignored"}`, "first"},
		{"hit keeps the decoded row", 1, `{"name":"changed"}`, "first"},
		{"new revision decodes again", 2, `{"name":"second"}`, "second"},
	} {
		row, err := c.get(store.Record{ARN: a, Revision: tc.revision, Data: json.RawMessage(tc.data)})
		if err != nil || row.Name != tc.want {
			t.Errorf("%s: row %+v, err %v; want name %q", tc.name, row, err, tc.want)
		}
	}
	if _, err := c.get(store.Record{ARN: a, Revision: 3, Data: json.RawMessage(`{`)}); err == nil {
		t.Error("bad data decoded")
	}
}
