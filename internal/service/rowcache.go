package service

import (
	"sync"

	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// maxCachedRows bounds rowCache; it is emptied when full.
const maxCachedRows = 50000

// rowCache keeps the decoded ListComponents rows of component records.
// Decoding the stored JSON of every row of every page was a tenth of the
// server's CPU time in the API benchmark (scripts/bench-api.sh). A record
// is keyed by its build ARN and revision: component build ARNs are never
// reused (build numbers only grow) and every change to a record bumps its
// revision, so an entry can never be stale, even with several servers on
// one PostgreSQL store.
type rowCache struct {
	mu   sync.Mutex
	rows map[rowKey]componentRow
}

type rowKey struct {
	arn      string
	revision int64
}

// componentRow is the part of a stored Component a ListComponents row shows.
type componentRow struct {
	Name                string   `json:"name"`
	Version             string   `json:"version"`
	Description         string   `json:"description"`
	Type                string   `json:"type"`
	Platform            string   `json:"platform"`
	SupportedOsVersions []string `json:"supportedOsVersions"`
	State               *State   `json:"state"`
	Owner               string   `json:"owner"`
	DateCreated         string   `json:"dateCreated"`
}

// get returns the row of rec, decoding (only the row's members of) its
// data on a miss.
func (c *rowCache) get(rec store.Record) (componentRow, error) {
	k := rowKey{rec.ARN.String(), rec.Revision}
	c.mu.Lock()
	row, ok := c.rows[k]
	c.mu.Unlock()
	if ok {
		return row, nil
	}
	if err := unmarshal(rec.Data, &row); err != nil {
		return row, err
	}
	c.mu.Lock()
	if c.rows == nil || len(c.rows) >= maxCachedRows {
		c.rows = make(map[rowKey]componentRow)
	}
	c.rows[k] = row
	c.mu.Unlock()
	return row, nil
}
