package python

import (
	"regexp"
	"strings"
)

// versionPattern is the version scheme of PEP 440 with every spelling it accepts
// (packaging's VERSION_PATTERN), anchored, case-insensitive, surrounding
// space allowed. Groups: 1 epoch, 2 release, 3 pre label, 4 pre number,
// 5 post number after '-', 6 post label, 7 post number, 8 dev label,
// 9 dev number, 10 local. migrations/0005_solver_metadata.up.sql writes the
// same pattern for the rows stored before versions were normalised.
var versionPattern = regexp.MustCompile(`(?i)^\s*v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)` +
	`(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?` +
	`(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?` +
	`(?:[-_.]?(dev)[-_.]?([0-9]+)?)?` +
	`(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$`)

// NormalizeVersion returns the PEP 440 normal form of a version string
// ("2.0.0rc1" for "2.0.0-rc1", "1.0.post1" for "1.0-1", "1.0a0" for
// "1.0.alpha", "1.0+ubuntu.1" for "1.0+Ubuntu-1", "1.2" for "01.02"), as
// packaging's str(Version(s)) writes it; ok is false, and s is returned
// with surrounding space dropped, when PEP 440 does not describe s
// ("1.0-foo", legacy versions some old releases carry). Release segments
// keep their count: "1.0" and "1.0.0" stay two strings, as in packaging.
func NormalizeVersion(s string) (normal string, ok bool) {
	if canonicalRelease(s) {
		return s, true
	}
	m := versionPattern.FindStringSubmatch(s)
	if m == nil {
		return strings.TrimSpace(s), false
	}
	var b strings.Builder
	b.Grow(len(s))
	if m[1] != "" && number(m[1]) != "0" {
		b.WriteString(number(m[1]))
		b.WriteByte('!')
	}
	for i, part := range strings.Split(m[2], ".") {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(number(part))
	}
	if m[3] != "" {
		switch strings.ToLower(m[3]) {
		case "alpha", "a":
			b.WriteString("a")
		case "beta", "b":
			b.WriteString("b")
		default: // c, pre, preview, rc
			b.WriteString("rc")
		}
		b.WriteString(number(m[4]))
	}
	switch {
	case m[5] != "":
		b.WriteString(".post")
		b.WriteString(number(m[5]))
	case m[6] != "":
		b.WriteString(".post")
		b.WriteString(number(m[7]))
	}
	if m[8] != "" {
		b.WriteString(".dev")
		b.WriteString(number(m[9]))
	}
	if m[10] != "" {
		b.WriteByte('+')
		parts := strings.FieldsFunc(strings.ToLower(m[10]), func(r rune) bool { return r == '-' || r == '_' || r == '.' })
		for i, p := range parts {
			if i > 0 {
				b.WriteByte('.')
			}
			if IsDigits(p) {
				p = number(p)
			}
			b.WriteString(p)
		}
	}
	return b.String(), true
}

// canonicalRelease reports whether s is a release segment already in
// normal form (digits separated by single dots, no leading zeros): most
// versions are, and need no regular expression.
func canonicalRelease(s string) bool {
	if s == "" {
		return false
	}
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if start {
				return false
			}
			start = true
		case c >= '0' && c <= '9':
			if start && c == '0' && i+1 < len(s) && s[i+1] != '.' {
				return false
			}
			start = false
		default:
			return false
		}
	}
	return !start
}

// number returns the decimal digits s without leading zeros ("0" for none).
func number(s string) string {
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return "0"
	}
	return s
}

// PyPI is the index URL PyPI is known by in the graph.
const PyPI = "https://pypi.org/simple"

// NormalizeIndexURL returns the form an index URL is stored and looked up
// in, as Thoth mapped them: surrounding space and trailing slashes dropped,
// scheme and host in lower case, and PyPI's simple index under any of its
// names (https://pypi.python.org/simple, http://pypi.org/simple/) as
// https://pypi.org/simple. Path and query keep their case. It does not
// validate.
func NormalizeIndexURL(u string) string {
	u = strings.TrimSpace(u)
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return strings.TrimRight(u, "/")
	}
	host, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	scheme, host = strings.ToLower(scheme), strings.ToLower(host)
	path = strings.TrimRight(path, "/")
	if (host == "pypi.python.org" || host == "pypi.org") && path == "/simple" && (scheme == "https" || scheme == "http") {
		return PyPI
	}
	return scheme + "://" + host + path
}
