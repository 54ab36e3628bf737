// Package policy is the resource policy language of Goldsmith's sharing
// (PutComponentPolicy, PutImagePolicy, PutImageRecipePolicy,
// PutContainerRecipePolicy): IAM JSON policies, parsed strictly, checked
// against what Goldsmith can enforce, and evaluated as IAM evaluates a
// resource policy. It is pure: no I/O, no clock.
//
// What a policy may hold (Parse refuses anything else, naming the element,
// so that nothing a policy says is silently ignored):
//
//   - Version "2012-10-17" or "2008-10-17" (or none), Id, and Statement (one
//     statement or a list).
//   - In a statement: Sid; Effect Allow or Deny; exactly one of Principal
//     and NotPrincipal; exactly one of Action and NotAction; at most one of
//     Resource and NotResource (neither: the resource the policy is
//     attached to).
//   - Principals: "*", or {"AWS": …} with "*", 12-digit account ids and
//     account root ARNs (arn:aws:iam::123456789012:root), one or a list.
//     Goldsmith has no IAM users, roles, services, federated or canonical
//     users, so those are refused.
//   - Actions: "service:Name" patterns with the IAM wildcards * and ?,
//     matched without regard to case; each must match one of the actions
//     the policy can grant where it is attached (Rules.Actions).
//   - Resources: "*" or ARN patterns with * and ?, matched with regard to
//     case; each statement must apply to the resource the policy is
//     attached to.
//   - Condition is refused: Goldsmith knows no request context (no
//     organizations, source addresses or tags) to test it against.
//
// Evaluation (Document.Evaluate) follows IAM: an explicit Deny in a
// matching statement wins over any Allow; without a matching Allow the
// request is denied implicitly.
package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tidwall/match"
)

// Effect is a statement's Effect.
type Effect string

// The two effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Principals are the accounts a Principal or NotPrincipal names.
type Principals struct {
	All      bool     // "*"
	Accounts []string // 12-digit account ids
}

// matches reports whether the principals include account ("" stands for an
// account that no statement names: only "*" includes it).
func (p *Principals) matches(account string) bool {
	return p.All || account != "" && slices.Contains(p.Accounts, account)
}

// Statement is one statement of a policy.
type Statement struct {
	Sid                     string
	Effect                  Effect
	Principal, NotPrincipal *Principals // exactly one is set
	Action, NotAction       []string    // exactly one is set
	Resource, NotResource   []string    // at most one is set
}

// Document is a parsed, checked policy.
type Document struct {
	Version    string
	ID         string
	Statements []Statement
	resource   string // the ARN the policy is attached to
}

// Rules are what a policy may grant where it is attached.
type Rules struct {
	// Resource is the ARN of the resource the policy is attached to.
	Resource string
	// Actions are the actions the policy can grant, e.g.
	// "imagebuilder:GetComponent".
	Actions []string
}

// Error is a policy that Goldsmith cannot enforce or that is not valid.
type Error struct {
	Element string // e.g. "Statement[2].Condition"; "" for the document
	Reason  string
}

func (e *Error) Error() string {
	if e.Element == "" {
		return e.Reason
	}
	return fmt.Sprintf("The policy element '%s' %s", e.Element, e.Reason)
}

// Request is an access to decide.
type Request struct {
	// Account asks; "" stands for any account that no statement names.
	Account  string
	Action   string // e.g. "imagebuilder:GetComponent"
	Resource string // the ARN accessed
}

// Decision is the outcome of an evaluation.
type Decision int

// The decisions, as IAM names them.
const (
	ImplicitDeny Decision = iota // no statement allows the request
	Allowed
	ExplicitDeny // a statement denies it
)

func (d Decision) String() string {
	return [...]string{"implicit deny", "allowed", "explicit deny"}[d]
}

// Evaluate decides req as IAM decides it with this resource policy alone.
func (d *Document) Evaluate(req Request) Decision {
	out := ImplicitDeny
	for i := range d.Statements {
		s := &d.Statements[i]
		if !s.applies(req) {
			continue
		}
		if s.Effect == Deny {
			return ExplicitDeny
		}
		out = Allowed
	}
	return out
}

// Allows reports whether req is allowed.
func (d *Document) Allows(req Request) bool { return d.Evaluate(req) == Allowed }

// applies reports whether the statement covers req.
func (s *Statement) applies(req Request) bool {
	if s.Principal != nil && !s.Principal.matches(req.Account) ||
		s.NotPrincipal != nil && s.NotPrincipal.matches(req.Account) {
		return false
	}
	deny := s.Effect == Deny
	if s.Action != nil && !anyMatch(s.Action, req.Action, true, deny) ||
		s.NotAction != nil && anyMatch(s.NotAction, req.Action, true, !deny) {
		return false
	}
	if s.Resource != nil && !anyMatch(s.Resource, req.Resource, false, deny) ||
		s.NotResource != nil && anyMatch(s.NotResource, req.Resource, false, !deny) {
		return false
	}
	return true
}

// Grant is who a policy allows one action on its resource.
type Grant struct {
	// Accounts are the accounts the policy names and allows, sorted.
	Accounts []string
	// Everyone is whether every account the policy does not name is
	// allowed ("*" or NotPrincipal).
	Everyone bool
	// Except are the accounts the policy names and does not allow, sorted
	// (they matter only with Everyone).
	Except []string
}

// Grants evaluates action on the attached resource for every account the
// policy names and for all the others.
func (d *Document) Grants(action string) Grant {
	var g Grant
	for _, acct := range d.named() {
		if d.Allows(Request{Account: acct, Action: action, Resource: d.resource}) {
			g.Accounts = append(g.Accounts, acct)
		} else {
			g.Except = append(g.Except, acct)
		}
	}
	g.Everyone = d.Allows(Request{Action: action, Resource: d.resource})
	return g
}

// named lists the accounts the statements name, sorted.
func (d *Document) named() []string {
	var out []string
	for _, s := range d.Statements {
		for _, p := range []*Principals{s.Principal, s.NotPrincipal} {
			if p != nil {
				out = append(out, p.Accounts...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// maxMatchWork bounds the work of one wildcard match (per character of the
// string matched), so that no pattern can make a match slow.
const maxMatchWork = 64

// anyMatch reports whether any pattern matches s (IAM wildcards * and ?).
// A match that would take too long gives up and counts as onStop: callers
// pass the answer that keeps an Allow from applying and a Deny applying.
// (Parse refuses patterns that give up on the policy's own resource and
// actions, so that this happens only for other requests.)
func anyMatch(patterns []string, s string, noCase, onStop bool) bool {
	gaveUp := false
	for _, p := range patterns {
		ok, stopped := matchOne(p, s, noCase)
		if ok {
			return true
		}
		gaveUp = gaveUp || stopped
	}
	return gaveUp && onStop
}

func matchOne(pattern, s string, noCase bool) (matched, stopped bool) {
	if noCase {
		return match.MatchLimitNoCase(s, pattern, maxMatchWork)
	}
	return match.MatchLimit(s, pattern, maxMatchWork)
}

var (
	accountRE = regexp.MustCompile(`^(?:arn:aws[a-z-]*:iam::)?([0-9]{12})(?::root)?$`)
	actionRE  = regexp.MustCompile(`^(?:\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+)$`)
)

// account returns the account id a principal value names.
func account(v string) (string, bool) {
	m := accountRE.FindStringSubmatch(v)
	if m == nil || strings.HasPrefix(v, "arn:") != strings.HasSuffix(v, ":root") {
		return "", false
	}
	return m[1], true
}

// String lists the grantable actions for messages.
func (r Rules) String() string { return strings.Join(r.Actions, ", ") }
