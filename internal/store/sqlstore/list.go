package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// where builds the WHERE clause of a query over the resources table
// aliased r. inGroup leaves out the conditions that every row of a group
// (rows with the same name_key) shares with the row it is compared with:
// account, region, workflow type and name.
func where(q store.Query, r string, inGroup bool) (string, []any, error) {
	if q.Type == "" {
		return "", nil, fmt.Errorf("store: a query needs a resource type: %w", store.ErrInvalid)
	}
	conds := []string{r + ".type = ?"}
	args := []any{string(q.Type)}
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	in := func(col string, vals []string) {
		conds = append(conds, col+" IN ("+placeholders(len(vals))+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	if inGroup {
		q.WorkflowType, q.Region, q.Name, q.NamePrefix = "", "", "", ""
		if len(q.SharedWith) == 0 {
			q.Accounts = nil
		}
	}
	if q.WorkflowType != "" {
		add(r+".workflow_type = ?", string(q.WorkflowType))
	}
	if q.Region != "" {
		add(r+".region = ?", q.Region)
	}
	var scope []string
	var scopeArgs []any
	if len(q.Accounts) > 0 {
		scope = append(scope, r+".account IN ("+placeholders(len(q.Accounts))+")")
		for _, a := range q.Accounts {
			scopeArgs = append(scopeArgs, a)
		}
	}
	if len(q.SharedWith) > 0 {
		scope = append(scope, "EXISTS (SELECT 1 FROM resource_principals p WHERE p.arn_key = "+r+".arn_key AND p.principal IN ("+
			placeholders(len(q.SharedWith))+"))")
		for _, a := range q.SharedWith {
			scopeArgs = append(scopeArgs, a)
		}
		var except []any
		for _, a := range q.SharedWith {
			if a != "*" {
				except = append(except, "!"+a)
			}
		}
		if len(except) > 0 {
			scope[len(scope)-1] = "(" + scope[len(scope)-1] + " AND NOT EXISTS (SELECT 1 FROM resource_principals p WHERE p.arn_key = " +
				r + ".arn_key AND p.principal IN (" + placeholders(len(except)) + ")))"
			scopeArgs = append(scopeArgs, except...)
		}
	}
	if len(scope) > 0 {
		add("("+strings.Join(scope, " OR ")+")", scopeArgs...)
	}
	if len(q.Owners) > 0 {
		in(r+".owner", q.Owners)
	}
	if q.Name != "" {
		add(r+".name = ?", q.Name)
	}
	if q.NamePrefix != "" {
		// Names hold [a-z0-9-_]; "~" sorts after all of them.
		add(r+".name >= ? AND "+r+".name < ?", q.NamePrefix, q.NamePrefix+"~")
	}
	if v := q.Version; !v.IsZero() {
		add(r + ".major IS NOT NULL")
		for i, n := range []int{v.Major(), v.Minor(), v.Patch()} {
			if n != arn.Wildcard {
				add([]string{r + ".major = ?", r + ".minor = ?", r + ".patch = ?"}[i], int64(n))
			}
		}
		if v.HasBuild() {
			add(r+".build = ?", int64(v.Build()))
		}
	}
	for _, k := range sortedKeys(q.Attrs) {
		vals := q.Attrs[k]
		cond := "EXISTS (SELECT 1 FROM resource_attrs a WHERE a.arn_key = " + r + ".arn_key AND a.name = ?"
		args = append(args, k)
		if len(vals) > 0 {
			cond += " AND a.value IN (" + placeholders(len(vals)) + ")"
			for _, v := range vals {
				args = append(args, v)
			}
		}
		conds = append(conds, cond+")")
	}
	return strings.Join(conds, " AND "), args, nil
}

// pageToken is the decoded NextToken: the group key of the last row
// returned and a hash of the query it belongs to.
type pageToken struct {
	After string `json:"a"`
	Query string `json:"q"`
}

// queryHash identifies a query apart from its paging fields.
func queryHash(q store.Query) string {
	q.Limit, q.PageToken = 0, ""
	h := sha256.New()
	fmt.Fprintf(h, "%q %q %q %q %q %q %q %q %q %d %t\n", q.Type, q.WorkflowType, q.Region, sortedSet(q.Accounts),
		sortedSet(q.SharedWith), sortedSet(q.Owners), q.Name, q.NamePrefix, q.Version.String(), q.Collapse, q.Descending)
	for _, k := range sortedKeys(q.Attrs) {
		fmt.Fprintf(h, "%q %q\n", k, sortedSet(q.Attrs[k]))
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func encodeToken(after string, q store.Query) string {
	b, _ := json.Marshal(pageToken{After: after, Query: queryHash(q)})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string, q store.Query) (string, error) {
	bad := fmt.Errorf("store: page token %.20q is malformed or from another query; start again without it: %w",
		s, store.ErrInvalidToken)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", bad
	}
	var t pageToken
	if err := json.Unmarshal(b, &t); err != nil || t.After == "" || t.Query != queryHash(q) {
		return "", bad
	}
	return t.After, nil
}

// List returns one page of records.
func (e exec) List(ctx context.Context, q store.Query) (store.Page, error) {
	if q.Limit < 0 {
		return store.Page{}, fmt.Errorf("store: negative page size %d: %w", q.Limit, store.ErrInvalid)
	}
	cond, args, err := where(q, "r", false)
	if err != nil {
		return store.Page{}, err
	}
	group := map[store.Collapse]string{
		store.CollapseNone: "sort_key", store.CollapseVersion: "version_key", store.CollapseName: "name_key",
	}[q.Collapse]
	if group == "" {
		return store.Page{}, fmt.Errorf("store: unknown collapse mode %d: %w", q.Collapse, store.ErrInvalid)
	}
	cmp, dir := ">", ""
	if q.Descending {
		cmp, dir = "<", " DESC"
	}
	// Keyset paging: rows after the group of the last row returned.
	// Groups are contiguous runs of sort_key, so ordering the newest row of
	// each group by sort_key orders the groups.
	sqlText := `SELECT ` + prefixed("r") + `, r.` + group + ` FROM resources r WHERE ` + cond
	if q.PageToken != "" {
		k, err := decodeToken(q.PageToken, q)
		if err != nil {
			return store.Page{}, err
		}
		// Rows of a group all have sort keys that start with the group key
		// and are shorter than it followed by "~", so the keyset condition
		// can be on sort_key, which the indexes order by.
		if q.Collapse != store.CollapseNone && !q.Descending {
			k += "~"
		}
		sqlText += " AND r.sort_key " + cmp + " ?"
		args = append(args, k)
	}
	if q.Collapse != store.CollapseNone {
		// The newest matching row of its group: no matching row of the
		// group sorts after it.
		cond2, args2, _ := where(q, "r2", true)
		sqlText += ` AND NOT EXISTS (SELECT 1 FROM resources r2 WHERE r2.type = r.type AND r2.` + group + ` = r.` + group +
			` AND r2.sort_key > r.sort_key AND ` + cond2 + `)`
		args = append(args, args2...)
	}
	sqlText += ` ORDER BY r.sort_key` + dir
	if q.Limit > 0 {
		sqlText += " LIMIT ?"
		args = append(args, int64(q.Limit+1))
	}
	rows, err := e.query(ctx, sqlText, args...)
	if err != nil {
		return store.Page{}, fmt.Errorf("store: list %s: %w", q.Type, err)
	}
	defer rows.Close()
	var page store.Page
	var last string
	for rows.Next() {
		if q.Limit > 0 && len(page.Records) == q.Limit {
			page.NextToken = encodeToken(last, q)
			break
		}
		var r recordScan
		if err := rows.Scan(append(r.dest(), &last)...); err != nil {
			return store.Page{}, fmt.Errorf("store: list %s: %w", q.Type, err)
		}
		rec, err := r.record()
		if err != nil {
			return store.Page{}, err
		}
		page.Records = append(page.Records, rec)
	}
	if err := rows.Err(); err != nil {
		return store.Page{}, fmt.Errorf("store: list %s: %w", q.Type, err)
	}
	return page, nil
}

// Latest returns the newest matching record.
func (e exec) Latest(ctx context.Context, q store.Query) (store.Record, error) {
	cond, args, err := where(q, "r", false)
	if err != nil {
		return store.Record{}, err
	}
	var r recordScan
	ok, err := e.queryRow(ctx, r.dest(), `SELECT `+prefixed("r")+` FROM resources r WHERE `+cond+`
		ORDER BY r.major DESC, r.minor DESC, r.patch DESC, r.build DESC, r.sort_key DESC LIMIT 1`, args...)
	if err != nil {
		return store.Record{}, fmt.Errorf("store: latest %s: %w", q.Type, err)
	}
	if !ok {
		what := string(q.Type)
		if q.Name != "" {
			what += " " + q.Name
		}
		if !q.Version.IsZero() {
			what += " " + q.Version.String()
		}
		return store.Record{}, fmt.Errorf("store: no %s matches: %w", what, store.ErrNotFound)
	}
	return r.record()
}

// Count counts matching records.
func (e exec) Count(ctx context.Context, q store.Query) (int, error) {
	cond, args, err := where(q, "r", false)
	if err != nil {
		return 0, err
	}
	expr := map[store.Collapse]string{
		store.CollapseNone: "COUNT(*)", store.CollapseVersion: "COUNT(DISTINCT r.version_key)",
		store.CollapseName: "COUNT(DISTINCT r.name_key)",
	}[q.Collapse]
	if expr == "" {
		return 0, fmt.Errorf("store: unknown collapse mode %d: %w", q.Collapse, store.ErrInvalid)
	}
	var n int64
	if _, err := e.queryRow(ctx, []any{&n}, `SELECT `+expr+` FROM resources r WHERE `+cond, args...); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", q.Type, err)
	}
	return int(n), nil
}
