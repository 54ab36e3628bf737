package toe

import (
	"fmt"
	"strconv"
	"sync"
)

// chain remembers every finished step's resolved inputs and outputs, per
// document, so later steps can refer to them.
type chain struct {
	mu   sync.Mutex
	Docs []map[string]*chainEntry `json:"documents"`
	// Resolved records every chaining expression as it was resolved.
	Resolved []chainRecord `json:"resolved"`
}

type chainEntry struct {
	Inputs  []map[string]any `json:"inputs"`
	Outputs map[string]any   `json:"outputs"`
}

type chainRecord struct {
	Document   string `json:"document"`
	Step       string `json:"step"`
	Expression string `json:"expression"`
	Value      string `json:"value"`
}

func newChain(n int) *chain {
	c := &chain{Docs: make([]map[string]*chainEntry, n)}
	for i := range c.Docs {
		c.Docs[i] = map[string]*chainEntry{}
	}
	return c
}

func (c *chain) put(doc int, key string, e *chainEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.Docs) <= doc {
		c.Docs = append(c.Docs, map[string]*chainEntry{})
	}
	c.Docs[doc][key] = e
}

func (c *chain) get(doc int, key string) (*chainEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if doc >= len(c.Docs) {
		return nil, false
	}
	e, ok := c.Docs[doc][key]
	return e, ok
}

func (c *chain) record(rec chainRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Resolved = append(c.Resolved, rec)
}

// str renders an input or output value as chaining inserts it.
func str(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return fmt.Sprint(v)
}
