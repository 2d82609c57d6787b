package persistence

import "github.com/seshat-graph/seshat/python"

// normalizeSet returns the normalised, sorted, de-duplicated members of in.
func normalizeSet(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		n := python.NormalizeName(s)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	sortStrings(out)
	return out
}
