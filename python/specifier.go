package python

import (
	"fmt"
	"strconv"
	"strings"
)

// Specifier is a PEP 440 version specifier set: comma-separated clauses
// (">=1.0, !=1.3.*, <2"), all of which a version must satisfy. The zero
// Specifier, and the parse of "" and "*", has no clause and matches every
// version.
type Specifier struct {
	clauses []clause
}

// clause is one operator and version of a specifier set.
type clause struct {
	op  string // "===", "~=", "==", "!=", "<=", ">=", "<", ">"
	raw string // the version as written, trimmed (with ".*" for a prefix)
	v   Version
	// prefix is set for "==V.*", "!=V.*" and "~=V": the epoch and release
	// numbers a version's must start with.
	prefix *releasePrefix
}

type releasePrefix struct {
	epoch   uint64
	release []uint64
}

// operators in the order a clause is tried against them (longest first).
var operators = []string{"===", "~=", "==", "!=", "<=", ">=", "<", ">"}

// ParseSpecifier parses a PEP 440 specifier set (empty clauses skipped, as
// packaging skips them). It returns an error naming
// the bad clause for an unknown operator, a version PEP 440 cannot parse, a
// ".*" prefix other than after the release numbers of == and !=, a local
// version label with an operator other than == and !=, and ~= with fewer
// than two release numbers.
func ParseSpecifier(s string) (Specifier, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "*" {
		return Specifier{}, nil
	}
	var out Specifier
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue // packaging skips empty clauses (">=1.0,,<2")
		}
		c, err := parseClause(part)
		if err != nil {
			return Specifier{}, err
		}
		out.clauses = append(out.clauses, c)
	}
	return out, nil
}

func parseClause(s string) (clause, error) {
	var c clause
	for _, op := range operators {
		if strings.HasPrefix(s, op) {
			c.op = op
			break
		}
	}
	if c.op == "" {
		return clause{}, fmt.Errorf("clause %q has no operator (want one of ===, ~=, ==, !=, <=, >=, <, >)", s)
	}
	c.raw = strings.TrimSpace(s[len(c.op):])
	if c.raw == "" {
		return clause{}, fmt.Errorf("clause %q has no version", s)
	}
	if c.op == "===" {
		if strings.ContainsAny(c.raw, " \t,;") {
			return clause{}, fmt.Errorf("clause %q: an arbitrary equality takes one version string", s)
		}
		return c, nil
	}
	text := c.raw
	wild := strings.HasSuffix(text, ".*")
	if wild {
		if c.op != "==" && c.op != "!=" {
			return clause{}, fmt.Errorf("clause %q: a .* prefix is allowed with == and != only", s)
		}
		text = strings.TrimSuffix(text, ".*")
	}
	v, err := ParseVersion(text)
	if err != nil {
		return clause{}, fmt.Errorf("clause %q: invalid PEP 440 version %q", s, text)
	}
	c.v = v
	p := splitRelease(v)
	switch {
	case wild:
		if v.String() != v.v.BaseVersion() {
			return clause{}, fmt.Errorf("clause %q: a .* prefix must follow the release numbers", s)
		}
		c.prefix = &p
	case v.v.Local() != "" && c.op != "==" && c.op != "!=":
		return clause{}, fmt.Errorf("clause %q: a local version label is allowed with == and != only", s)
	case c.op == "~=":
		if len(p.release) < 2 {
			return clause{}, fmt.Errorf("clause %q: ~= needs at least two release numbers", s)
		}
		// ~=V is >=V plus ==P.*, P being V's release without its last
		// number; a pre-release (~=2.2.0rc1) keeps them all.
		if !hasPre(v) {
			p.release = p.release[:len(p.release)-1]
		}
		c.prefix = &p
	}
	return c, nil
}

// String returns the clauses without spaces, joined by commas ("" when
// there is none), each version in PEP 440 normal form (NormalizeVersion:
// ">=2.0.0rc1" for ">= 2.0.0-RC1", "==1.*" for "==01.*"); an arbitrary
// equality keeps its string as written.
func (s Specifier) String() string {
	parts := make([]string, len(s.clauses))
	for i, c := range s.clauses {
		switch {
		case c.op == "===":
			parts[i] = c.op + c.raw
		case strings.HasSuffix(c.raw, ".*"):
			n, _ := NormalizeVersion(strings.TrimSuffix(c.raw, ".*"))
			parts[i] = c.op + n + ".*"
		default:
			n, _ := NormalizeVersion(c.raw)
			parts[i] = c.op + n
		}
	}
	return strings.Join(parts, ",")
}

// NamesPreRelease reports whether a clause other than != names a pre- or
// development release (">=2.0rc1", "==1.0.dev3"): PEP 440 then admits the
// package's pre-releases, which are otherwise left out of a resolution.
func (s Specifier) NamesPreRelease() bool {
	for _, c := range s.clauses {
		// c.v is the clause's version without a .* suffix; === has none.
		if c.op != "!=" && c.op != "===" && c.v.IsPreRelease() {
			return true
		}
	}
	return false
}

// Matches reports whether v satisfies every clause, pre- and development
// releases included (packaging's SpecifierSet with prereleases=True, as
// Thoth matched its rules): >=1.0 matches 2.0rc1. Each clause still has its
// PEP 440 meaning: <2.0 does not match 2.0rc1 (a pre-release of the version
// it names) while <2.0rc2 does; >1.0 does not match 1.0.post1; ==1.* matches
// 1.5rc1; == and != ignore v's local label unless the clause has one.
func (s Specifier) Matches(v Version) bool {
	for _, c := range s.clauses {
		if !c.matches(v) {
			return false
		}
	}
	return true
}

func (c clause) matches(v Version) bool {
	switch c.op {
	case "===":
		return strings.EqualFold(strings.TrimSpace(v.v.Original()), c.raw)
	case "==":
		return c.equal(v)
	case "!=":
		return !c.equal(v)
	case "~=":
		return public(v).Compare(c.v) >= 0 && c.prefix.matches(v)
	case "<=":
		return public(v).Compare(c.v) <= 0
	case ">=":
		return public(v).Compare(c.v) >= 0
	case "<":
		if v.Compare(c.v) >= 0 {
			return false
		}
		return c.v.IsPreRelease() || !v.IsPreRelease() || !sameBase(v, c.v)
	case ">":
		if v.Compare(c.v) <= 0 {
			return false
		}
		if !c.v.v.IsPostRelease() && v.v.IsPostRelease() && sameBase(v, c.v) {
			return false
		}
		return v.v.Local() == "" || !sameBase(v, c.v)
	}
	return false
}

// equal is the == comparison: a prefix match, an exact one when the clause
// has a local label, else one of v's public version.
func (c clause) equal(v Version) bool {
	switch {
	case c.prefix != nil:
		return c.prefix.matches(v)
	case c.v.v.Local() != "":
		return v.Compare(c.v) == 0
	}
	return public(v).Compare(c.v) == 0
}

// matches reports whether v's epoch is p's and its release, padded with
// zeros, starts with p's release numbers.
func (p *releasePrefix) matches(v Version) bool {
	q := splitRelease(v)
	if q.epoch != p.epoch {
		return false
	}
	for i, n := range p.release {
		var m uint64
		if i < len(q.release) {
			m = q.release[i]
		}
		if m != n {
			return false
		}
	}
	return true
}

// splitRelease returns v's epoch and release numbers.
func splitRelease(v Version) releasePrefix {
	base := v.v.BaseVersion()
	var p releasePrefix
	if e, rest, ok := strings.Cut(base, "!"); ok {
		p.epoch, _ = strconv.ParseUint(e, 10, 64)
		base = rest
	}
	for _, part := range strings.Split(base, ".") {
		n, _ := strconv.ParseUint(part, 10, 64)
		p.release = append(p.release, n)
	}
	return p
}

// hasPre reports whether v has an a, b or rc segment.
func hasPre(v Version) bool {
	rest := strings.TrimPrefix(v.String(), v.v.BaseVersion())
	return strings.HasPrefix(rest, "a") || strings.HasPrefix(rest, "b") || strings.HasPrefix(rest, "rc")
}

// public is v without its local label.
func public(v Version) Version {
	if v.v.Local() == "" {
		return v
	}
	p, err := ParseVersion(v.v.Public())
	if err != nil {
		return v
	}
	return p
}

// sameBase reports whether v and w have the same epoch and release (1.0 and
// 1.0.0 do).
func sameBase(v, w Version) bool {
	a, b := splitRelease(v), splitRelease(w)
	if a.epoch != b.epoch {
		return false
	}
	for i := range max(len(a.release), len(b.release)) {
		var x, y uint64
		if i < len(a.release) {
			x = a.release[i]
		}
		if i < len(b.release) {
			y = b.release[i]
		}
		if x != y {
			return false
		}
	}
	return true
}
