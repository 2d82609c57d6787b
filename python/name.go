package python

import "strings"

// NormalizeName returns the PEP 503 normalised form of a project name (and
// the PEP 685 form of an extra): surrounding space dropped, lower case, every
// run of '-', '_' and '.' replaced by one '-' (re.sub(r"[-_.]+", "-", name).lower()).
// Lower case is Unicode lower case, as Python's and the document parser's,
// so a name reads back the way it was ingested. It does not validate.
func NormalizeName(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c == '_' || c == '.' {
			for i+1 < len(s) && (s[i+1] == '-' || s[i+1] == '_' || s[i+1] == '.') {
				i++
			}
			c = '-'
		}
		b.WriteByte(c)
	}
	return strings.ToLower(b.String())
}
