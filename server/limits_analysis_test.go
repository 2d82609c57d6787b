package server_test

import (
	"fmt"
	"testing"
)

// TestAnalysisCost: an image's packages cost 100 times their selection,
// its symbols and files 1,000 times, the short lists 10 times, and all
// multiply by the page of images they are under; a page of 200 images
// with their symbols is over the default budget of 100,000, one of 10 is not.
func TestAnalysisCost(t *testing.T) {
	t.Parallel()
	envs := func(first int, sel string) int {
		return cost(t, fmt.Sprintf(`{ softwareEnvironments(first: %d) { edges { node { %s } } } }`, first, sel))
	}
	base := envs(1, "imageName")
	for _, c := range []struct {
		sel  string
		each int
	}{
		{"symbols { library symbol }", 1000 * 3}, {"pythonFiles(sha256: \"x\") { path sha256 }", 1000 * 3},
		{"rpmPackages { name }", 100 * 2}, {"debPackages { name }", 100 * 2}, {"pythonPackages { name }", 100 * 2},
		{"interpreters { path }", 10 * 2}, {"analyses { id }", 10 * 2},
		{"rpmPackages { requirements }", 100 * (1 + 10)},
		{"pythonPackages { packageVersions { version } }", 100 * (1 + 10*2)},
	} {
		if got := envs(1, "imageName "+c.sel) - base; got != c.each {
			t.Errorf("%s costs %d under one image, want %d", c.sel, got, c.each)
		}
		if one, ten := envs(1, c.sel), envs(10, c.sel); ten != 10*one {
			t.Errorf("%s: %d under ten images, %d under one", c.sel, ten, one)
		}
	}
	if got := envs(200, "symbols { library symbol }"); got <= 100000 {
		t.Errorf("every symbol of 200 images costs %d, within the default budget", got)
	}
	if got := envs(10, "symbols { library symbol }"); got > 100000 {
		t.Errorf("every symbol of 10 images costs %d, over the default budget", got)
	}
	a := cost(t, `{ imageAnalyses(first: 5) { edges { node { id softwareEnvironment { symbols { symbol } } } } } }`)
	if want := 5 * (1 + 1 + 1 + (1 + 1 + 1000*2)); a < want-10 || a > want+10 {
		t.Errorf("imageAnalyses(first: 5) with symbols costs %d, about %d expected", a, want)
	}
	if v := cost(t, `{ packageVersion(name: "a", version: "1") { foundInImages { id } } }`) -
		cost(t, `{ packageVersion(name: "a", version: "1") { id } }`); v != 10*2-1 {
		t.Errorf("foundInImages costs %d more than id, want %d", v, 10*2-1)
	}
}
