package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Parse reads a policy and checks that Goldsmith can enforce all of it
// where r says it is attached. Every problem is an *Error naming the
// element.
func Parse(text string, r Rules) (*Document, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &top); err != nil || top == nil {
		why := "it is not a JSON object"
		if err != nil {
			why = err.Error()
		}
		return nil, &Error{Reason: "The policy is not a JSON policy document: " + why + "."}
	}
	d := &Document{resource: r.Resource}
	for _, k := range sortedKeys(top) {
		raw := top[k]
		var err error
		switch k {
		case "Version":
			err = decodeString(raw, k, &d.Version)
			if err == nil && d.Version != "2012-10-17" && d.Version != "2008-10-17" {
				err = &Error{Element: k, Reason: "must be 2012-10-17 or 2008-10-17."}
			}
		case "Id":
			err = decodeString(raw, k, &d.ID)
		case "Statement":
			d.Statements, err = parseStatements(raw, r)
		default:
			err = unknown(k)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(d.Statements) == 0 {
		return nil, &Error{Element: "Statement", Reason: "is missing: a policy needs at least one statement."}
	}
	return d, nil
}

func parseStatements(raw json.RawMessage, r Rules) ([]Statement, error) {
	var list []json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		list = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, &Error{Element: "Statement", Reason: "must be a statement or a list of statements."}
	}
	out := make([]Statement, 0, len(list))
	for i, one := range list {
		s, err := parseStatement(one, fmt.Sprintf("Statement[%d]", i+1), r)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func parseStatement(raw json.RawMessage, at string, r Rules) (Statement, error) {
	var s Statement
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return s, &Error{Element: at, Reason: "must be a JSON object."}
	}
	for _, k := range sortedKeys(fields) {
		raw, el := fields[k], at+"."+k
		var err error
		switch k {
		case "Sid":
			err = decodeString(raw, el, &s.Sid)
		case "Effect":
			var e string
			if err = decodeString(raw, el, &e); err == nil && e != string(Allow) && e != string(Deny) {
				err = &Error{Element: el, Reason: "must be Allow or Deny."}
			}
			s.Effect = Effect(e)
		case "Principal":
			s.Principal, err = parsePrincipals(raw, el)
		case "NotPrincipal":
			s.NotPrincipal, err = parsePrincipals(raw, el)
		case "Action":
			s.Action, err = parseActions(raw, el, r)
		case "NotAction":
			s.NotAction, err = parseActions(raw, el, r)
		case "Resource":
			s.Resource, err = parseResources(raw, el, r)
		case "NotResource":
			s.NotResource, err = parseResources(raw, el, r)
		case "Condition":
			err = &Error{Element: el, Reason: "cannot be enforced by Goldsmith, which has no request context (organizations, addresses, tags) to test conditions against; remove it and name the accounts to share with in Principal."}
		default:
			err = unknown(el)
		}
		if err != nil {
			return s, err
		}
	}
	if s.Effect == "" {
		return s, &Error{Element: at + ".Effect", Reason: "is missing: each statement must be Allow or Deny."}
	}
	if (s.Principal == nil) == (s.NotPrincipal == nil) {
		return s, &Error{Element: at + ".Principal", Reason: "must be given, or NotPrincipal instead: exactly one of the two."}
	}
	if (s.Action == nil) == (s.NotAction == nil) {
		return s, &Error{Element: at + ".Action", Reason: "must be given, or NotAction instead: exactly one of the two."}
	}
	if s.Resource != nil && s.NotResource != nil {
		return s, &Error{Element: at + ".NotResource", Reason: "cannot be given with Resource: give one of the two."}
	}
	if s.NotAction != nil && !slices.ContainsFunc(r.Actions, func(a string) bool { return !anyMatch(s.NotAction, a, true, false) }) {
		return s, &Error{Element: at + ".NotAction", Reason: "leaves none of the actions this policy can grant (" + r.String() + ")."}
	}
	if r.Resource != "" && !s.coversResource(r.Resource) {
		el := at + ".Resource"
		if s.NotResource != nil {
			el = at + ".NotResource"
		}
		return s, &Error{Element: el, Reason: fmt.Sprintf("does not cover the resource '%s' this policy is attached to.", r.Resource)}
	}
	return s, nil
}

// coversResource reports whether the statement's Resource or NotResource
// takes in resource.
func (s *Statement) coversResource(resource string) bool {
	if s.Resource != nil {
		return anyMatch(s.Resource, resource, false, false)
	}
	return s.NotResource == nil || !anyMatch(s.NotResource, resource, false, false)
}

func parsePrincipals(raw json.RawMessage, at string) (*Principals, error) {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			return nil, &Error{Element: at, Reason: `must be "*" or {"AWS": [account ids or account root ARNs]}.`}
		}
		return &Principals{All: true}, nil
	}
	var kinds map[string]json.RawMessage
	if err := json.Unmarshal(raw, &kinds); err != nil || kinds == nil {
		return nil, &Error{Element: at, Reason: `must be "*" or {"AWS": [account ids or account root ARNs]}.`}
	}
	p := &Principals{}
	for _, k := range sortedKeys(kinds) {
		el := at + "." + k
		switch k {
		case "AWS":
		case "Service", "Federated", "CanonicalUser":
			return nil, &Error{Element: el, Reason: "cannot be enforced by Goldsmith, which has only accounts: name account ids or account root ARNs under AWS."}
		default:
			return nil, unknown(el)
		}
		vals, err := stringList(kinds[k], el)
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			if v == "*" {
				p.All = true
				continue
			}
			id, ok := account(v)
			if !ok {
				return nil, &Error{Element: el, Reason: fmt.Sprintf("names '%s', which is not an account id or account root ARN (arn:aws:iam::123456789012:root); Goldsmith has no IAM users or roles.", v)}
			}
			if !slices.Contains(p.Accounts, id) {
				p.Accounts = append(p.Accounts, id)
			}
		}
	}
	if !p.All && len(p.Accounts) == 0 {
		return nil, &Error{Element: at, Reason: "names no account."}
	}
	slices.Sort(p.Accounts)
	return p, nil
}

func parseActions(raw json.RawMessage, at string, r Rules) ([]string, error) {
	vals, err := stringList(raw, at)
	if err != nil {
		return nil, err
	}
	for _, v := range vals {
		if !actionRE.MatchString(v) {
			return nil, &Error{Element: at, Reason: fmt.Sprintf("names '%s', which is not an action such as imagebuilder:GetComponent.", v)}
		}
		if slices.ContainsFunc(r.Actions, func(a string) bool { _, stopped := matchOne(v, a, true); return stopped }) {
			return nil, tooComplex(at, v)
		}
		if !slices.ContainsFunc(r.Actions, func(a string) bool { return anyMatch([]string{v}, a, true, false) }) {
			return nil, &Error{Element: at, Reason: fmt.Sprintf("names '%s', which matches none of the actions this policy can grant: %s.", v, r)}
		}
	}
	return vals, nil
}

func parseResources(raw json.RawMessage, at string, r Rules) ([]string, error) {
	vals, err := stringList(raw, at)
	if err != nil {
		return nil, err
	}
	for _, v := range vals {
		if v != "*" && !strings.HasPrefix(v, "arn:") || strings.Contains(v, `\`) {
			return nil, &Error{Element: at, Reason: fmt.Sprintf("names '%s', which is not \"*\" or an ARN pattern.", v)}
		}
		if _, stopped := matchOne(v, r.Resource, false); stopped {
			return nil, tooComplex(at, v)
		}
	}
	return vals, nil
}

func tooComplex(at, pattern string) error {
	return &Error{Element: at, Reason: fmt.Sprintf("names '%s', whose wildcards are too many to match quickly; use fewer.", pattern)}
}

// stringList decodes a string or a non-empty list of non-empty strings.
func stringList(raw json.RawMessage, at string) ([]string, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		raw = json.RawMessage(`[` + string(raw) + `]`)
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 || slices.Contains(list, "") {
		return nil, &Error{Element: at, Reason: "must be a string or a non-empty list of strings."}
	}
	return list, nil
}

func decodeString(raw json.RawMessage, at string, dst *string) error {
	if err := json.Unmarshal(raw, dst); err != nil {
		return &Error{Element: at, Reason: "must be a string."}
	}
	return nil
}

func unknown(at string) error {
	return &Error{Element: at, Reason: "is not an element Goldsmith knows; remove it (element names are case-sensitive)."}
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
