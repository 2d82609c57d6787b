package server_test

import "testing"

// TestAdviserListCosts: the lists an adviser reads of a release cost their
// children per element (listSize), and the rules connection its page, so a
// list of lists is refused like any other.
func TestAdviserListCosts(t *testing.T) {
	t.Parallel()
	base := cost(t, `{ packageVersions(name: "a", version: "1") { id } }`)
	for _, c := range []struct {
		name, query string
		atLeast     int
	}{
		{"packageVersions", `{ packageVersions(name: "a", version: "1") { id name version } }`, base + 10},
		{"artifacts", `{ packageVersions(name: "a", version: "1") { artifacts { name sha256 present } } }`, 10 * 10 * 3},
		{"hashes", `{ packageVersions(name: "a", version: "1") { hashes } }`, 10 * 10},
		{"rules", `{ packageVersions(name: "a", version: "1") { rules { id index { url } } } }`, 10 * 10 * 2},
		{"records", `{ packageVersions(name: "a", version: "1") { records(environment: ` + rhel8 + `) { records(environment: ` + rhel8 + `) { id } } } }`, 10 * 10 * 10},
		{"rules connection", `{ rules(first: 1000) { edges { node { id package index { url } } } } }`, 1000 * 3},
	} {
		if got := cost(t, c.query); got < c.atLeast {
			t.Errorf("%s costs %d, want at least %d", c.name, got, c.atLeast)
		}
	}
}
