package python

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The range types of an OSV record (affected[].ranges[].type). Only
// ECOSYSTEM ranges are evaluated for PyPI packages, in PEP 440 order; SEMVER
// and GIT ranges are kept as the record gives them (GIT ones need the
// repository's commit graph, and PyPI versions are not SemVer).
const (
	RangeEcosystem = "ECOSYSTEM"
	RangeSemver    = "SEMVER"
	RangeGit       = "GIT"
)

// Affected says which versions of one package an advisory affects: an OSV
// affected entry of the PyPI ecosystem. A version is affected when it equals
// (in PEP 440, so "1.0" is "1.0.0") one of Versions, or when an ECOSYSTEM
// range includes it; a release inside a range that Versions does not list yet
// is affected too.
type Affected struct {
	// Name is the package's PEP 503 normalised name.
	Name string
	// Ranges are the record's ranges of every type, in record order.
	Ranges []Range
	// Versions are the affected versions the record lists explicitly, as
	// written. One PEP 440 cannot parse is kept and matches no version.
	Versions []string
}

// Range is one OSV range: a timeline of events in the order of its Type.
type Range struct {
	// Type is RangeEcosystem, RangeSemver or RangeGit.
	Type string
	// Repo is the repository a GIT range's commits belong to; "" otherwise.
	Repo   string
	Events []Event
}

// Event is one event of a range: exactly one field is set. Introduced "0"
// stands for a version lower than any other; a Limit containing "*" stands
// for infinity.
type Event struct {
	Introduced, Fixed, LastAffected, Limit string
}

// FieldError says which field of an affected entry is invalid and why. Path
// is relative to the entry: "ranges[0].events[1].fixed", "package.name".
type FieldError struct {
	Path    string
	Message string
}

// Error returns "path: message".
func (e *FieldError) Error() string { return e.Path + ": " + e.Message }

// Validate returns a *FieldError for the first problem of a, in field order:
// no name; a range of no type or of a type other than ECOSYSTEM, SEMVER and
// GIT; a range without events or without an introduced event; an event that
// sets no field or more than one; in an ECOSYSTEM range, an event version
// PEP 440 cannot parse (other than introduced "0" and a limit containing
// "*"). Versions are not checked (see Affected.Versions), nor are SEMVER and
// GIT event versions, which are never compared.
func (a Affected) Validate() error {
	if strings.TrimSpace(a.Name) == "" {
		return &FieldError{Path: "package.name", Message: "missing"}
	}
	for i, r := range a.Ranges {
		at := "ranges[" + strconv.Itoa(i) + "]"
		switch r.Type {
		case RangeEcosystem, RangeSemver, RangeGit:
		case "":
			return &FieldError{Path: at + ".type", Message: "missing"}
		default:
			return &FieldError{Path: at + ".type", Message: fmt.Sprintf("unknown range type %q (want ECOSYSTEM, SEMVER or GIT)", r.Type)}
		}
		if len(r.Events) == 0 {
			return &FieldError{Path: at + ".events", Message: "no events"}
		}
		introduced := false
		for j, e := range r.Events {
			eat := at + ".events[" + strconv.Itoa(j) + "]"
			key, value, n := e.field()
			switch {
			case n == 0:
				return &FieldError{Path: eat, Message: "no introduced, fixed, last_affected or limit"}
			case n > 1:
				return &FieldError{Path: eat, Message: "more than one of introduced, fixed, last_affected and limit"}
			}
			introduced = introduced || key == "introduced"
			if r.Type != RangeEcosystem {
				continue
			}
			if _, err := parseBound(key, value); err != nil {
				return &FieldError{Path: eat + "." + key, Message: fmt.Sprintf("invalid PEP 440 version %q", value)}
			}
		}
		if !introduced {
			return &FieldError{Path: at + ".events", Message: "no introduced event"}
		}
	}
	return nil
}

// Matches reports whether a affects v: v equals one of a.Versions in PEP 440,
// or an ECOSYSTEM range includes it by the OSV evaluation algorithm (events
// sorted by version, introduced "0" first, ties kept in record order; v is
// affected from an introduced on, up to but excluding a fixed, up to and
// including a last_affected; when the range has limit events, only versions
// below one of them are). Pre-, post- and development releases take their
// PEP 440 places: 2.0rc1 is below a fix in 2.0. SEMVER and GIT ranges never
// match. An event version that does not parse is ignored: Validate first.
// To match many versions, parse a once with Matcher.
func (a Affected) Matches(v Version) bool { return a.Matcher().Matches(v) }

// FixedIn returns the lowest fixed version above v, as the record writes it,
// of the first ECOSYSTEM range (in record order) that includes v and ends v's
// affected interval with a fixed event. ok is false when no range includes v
// (v matched by Versions alone, or not affected at all) and when every range
// that does leaves v's interval open or ends it with last_affected.
func (a Affected) FixedIn(v Version) (fixed string, ok bool) { return a.Matcher().FixedIn(v) }

// Matcher is an Affected with its versions parsed and its events sorted,
// for matching many versions against it. The zero Matcher matches nothing.
type Matcher struct {
	versions []Version // sorted
	ranges   [][]bound // the sorted events of each ECOSYSTEM range, in record order
}

// Matcher parses a's versions and ECOSYSTEM events once; what does not
// parse is left out, as Matches leaves it.
func (a Affected) Matcher() *Matcher {
	m := &Matcher{}
	for _, s := range a.Versions {
		if v, err := ParseVersion(s); err == nil {
			m.versions = append(m.versions, v)
		}
	}
	slices.SortFunc(m.versions, Version.Compare)
	for _, r := range a.Ranges {
		if r.Type == RangeEcosystem {
			m.ranges = append(m.ranges, r.sorted())
		}
	}
	return m
}

// Matches is Affected.Matches.
func (m *Matcher) Matches(v Version) bool {
	if _, found := slices.BinarySearchFunc(m.versions, v, Version.Compare); found {
		return true
	}
	for _, events := range m.ranges {
		if includes(events, v) {
			return true
		}
	}
	return false
}

// FixedIn is Affected.FixedIn.
func (m *Matcher) FixedIn(v Version) (fixed string, ok bool) {
	for _, events := range m.ranges {
		if !includes(events, v) {
			continue
		}
		for _, e := range events {
			if e.key == "fixed" && e.v.Compare(v) > 0 {
				return e.raw, true
			}
			if e.key == "last_affected" && e.v.Compare(v) >= 0 {
				break
			}
		}
	}
	return "", false
}

// field returns the one field e sets (the first, in declaration order, when
// it sets several) and how many it sets.
func (e Event) field() (key, value string, n int) {
	for _, f := range [...]struct{ key, value string }{
		{"introduced", e.Introduced}, {"fixed", e.Fixed}, {"last_affected", e.LastAffected}, {"limit", e.Limit},
	} {
		if strings.TrimSpace(f.value) == "" {
			continue
		}
		if n == 0 {
			key, value = f.key, strings.TrimSpace(f.value)
		}
		n++
	}
	return key, value, n
}

// bound is an event of an ECOSYSTEM range with its version parsed.
type bound struct {
	key string // "introduced", "fixed", "last_affected" or "limit"
	raw string
	v   Version
	// rank places the special values: -1 for introduced "0" (below every
	// version), +1 for a limit containing "*" (above every version).
	rank int
}

func parseBound(key, value string) (bound, error) {
	b := bound{key: key, raw: value}
	switch {
	case key == "introduced" && value == "0":
		b.rank = -1
		return b, nil
	case key == "limit" && strings.Contains(value, "*"):
		b.rank = 1
		return b, nil
	}
	v, err := ParseVersion(value)
	if err != nil {
		return bound{}, err
	}
	b.v = v
	return b, nil
}

// cmp orders b against version v: -1, 0 or +1 as b is below, equal to or
// above v.
func (b bound) cmp(v Version) int {
	if b.rank != 0 {
		return b.rank
	}
	return b.v.Compare(v)
}

// sorted returns r's parseable events in version order, ties in record order.
func (r Range) sorted() []bound {
	bs := make([]bound, 0, len(r.Events))
	for _, e := range r.Events {
		key, value, n := e.field()
		if n != 1 {
			continue
		}
		if b, err := parseBound(key, value); err == nil {
			bs = append(bs, b)
		}
	}
	slices.SortStableFunc(bs, func(x, y bound) int {
		if x.rank != 0 || y.rank != 0 {
			return x.rank - y.rank
		}
		return x.v.Compare(y.v)
	})
	return bs
}

// includes evaluates at v the range whose sorted events are events.
func includes(events []bound, v Version) bool {
	limited, below := false, false
	for _, e := range events {
		if e.key == "limit" {
			limited = true
			below = below || e.cmp(v) > 0
		}
	}
	if limited && !below {
		return false
	}
	affected := false
	for _, e := range events {
		switch c := e.cmp(v); {
		case e.key == "introduced" && c <= 0:
			affected = true
		case e.key == "fixed" && c <= 0:
			affected = false
		case e.key == "last_affected" && c < 0:
			affected = false
		}
	}
	return affected
}
