// Package python is the Python packaging vocabulary the graph is written in:
// PEP 503 project names, PEP 440 versions, and the environments solvers ran
// in, normalised as Thoth normalised them. It touches no database and imports
// only the standard library and a PEP 440 parser, so that document parsers
// and generators can share it with the store.
package python

// IsDigits reports whether s is one or more ASCII digits: a part of a release
// number ("31" of "31.1"), a Python version written without its dot ("38").
func IsDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
