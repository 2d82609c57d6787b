//go:build thoth

package resolvers_test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/ingest/solver"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
)

// TestThothAdviserFacts ingests every real solver document through the
// ingestDocument mutation and reads back, through the handler, what an
// adviser asks of a release: the hashes of every tree entry are the union of
// the sha256 digests the documents list for it, and the releases marked
// missing are exactly those an error shows the index not serving (the solver
// says so, or pip lists the index's versions without this one), read here
// from the raw JSON, among them PyYAML 3.09 of the thamos document.
func TestThothAdviserFacts(t *testing.T) {
	t.Parallel()
	h, _ := ingestHarness(t)
	type key struct{ name, version, index string }
	hashes := map[key]map[string]bool{}
	missing := map[key]bool{}
	for _, d := range thothDocuments(t) {
		in := map[string]any{"document": json.RawMessage(d.Raw)}
		if d.Named {
			in["documentId"] = d.ID
		}
		if _, err := ingest.KindOf(d.ID); err != nil {
			in["kind"] = "solver"
		}
		var out ingestResult
		if errs := h.do(t, ingestSecret, ingestMutation, map[string]any{"input": in}, &out); len(errs) > 0 {
			t.Fatalf("%s: %+v", d.File, errs)
		}
		if out.IngestDocument.Status != "INGESTED" {
			t.Logf("%s: %s, not read", d.File, out.IngestDocument.Status)
			continue
		}
		parse := solver.Parse
		if d.Named {
			parse = solver.ParseNamed
		}
		doc, err := parse(d.ID, d.Raw)
		if err != nil {
			t.Fatalf("%s: ingested but does not parse: %v", d.File, err)
		}
		for _, e := range doc.Entries {
			if e.IndexURL == "" {
				continue
			}
			k := key{e.Name, persistence.NormalVersion(e.Version), *persistence.NormalIndexURL(&e.IndexURL)}
			if hashes[k] == nil {
				hashes[k] = map[string]bool{}
			}
			for _, a := range e.Artifacts {
				hashes[k][a.SHA256] = true
			}
		}
		res, _ := d.Doc["result"].(map[string]any)
		errs, _ := res["errors"].([]any)
		for _, raw := range errs {
			e, _ := raw.(map[string]any)
			name, _ := e["package_name"].(string)
			version, _ := e["package_version"].(string)
			if version == "" {
				version, _ = e["version"].(string)
			}
			index, _ := e["index_url"].(string)
			if index == "" {
				index, _ = e["index"].(string)
			}
			if index == "" || version == "" || !rawSaysMissing(e, version) {
				continue
			}
			missing[key{python.NormalizeName(name), persistence.NormalVersion(version), *persistence.NormalIndexURL(&index)}] = true
		}
	}
	if !missing[key{"pyyaml", "3.9", "https://pypi.org/simple"}] && !missing[key{"pyyaml", "3.09", "https://pypi.org/simple"}] {
		t.Errorf("the thamos document's PyYAML 3.09 is not expected missing: %v", missing)
	}

	type release struct {
		IndexURL  *string
		IsMissing bool
		Hashes    []string
	}
	read := func(k key) *release {
		var got struct{ PackageVersions []release }
		h.query(t, `query($n: String!, $v: String!) { packageVersions(name: $n, version: $v, includeMissing: true) { indexUrl isMissing hashes } }`,
			map[string]any{"n": k.name, "v": k.version}, &got)
		for i, r := range got.PackageVersions {
			if r.IndexURL != nil && *r.IndexURL == k.index {
				return &got.PackageVersions[i]
			}
		}
		return nil
	}
	checked := 0
	for k, want := range hashes {
		r := read(k)
		if r == nil {
			t.Errorf("%v: not found", k)
			continue
		}
		w := make([]string, 0, len(want))
		for s := range want {
			w = append(w, s)
		}
		sort.Strings(w)
		if !slices.Equal(r.Hashes, w) {
			t.Errorf("%v: hashes %v, want %v", k, r.Hashes, w)
		}
		checked++
	}
	for k := range missing {
		if r := read(k); r == nil || !r.IsMissing {
			t.Errorf("%v: %+v, want missing", k, r)
		}
	}
	// And nothing else is missing.
	var all struct {
		Packages struct {
			Edges []struct {
				Node struct {
					Name     string
					Versions struct {
						Edges []struct{ Node versionRef }
					}
				}
			}
		}
	}
	h.query(t, `{ packages(first: 1000) { edges { node { name versions(includeMissing: true, first: 1000) { edges { node { version indexUrl isMissing } } } } } } }`, nil, &all)
	marked := 0
	for _, p := range all.Packages.Edges {
		for _, v := range p.Node.Versions.Edges {
			if v.Node.IsMissing {
				marked++
				if !missing[key{p.Node.Name, v.Node.Version, *v.Node.IndexURL}] {
					t.Errorf("%s %s on %s is missing, no error shows it", p.Node.Name, v.Node.Version, *v.Node.IndexURL)
				}
			}
		}
	}
	if marked != len(missing) || checked == 0 {
		t.Errorf("%d releases marked missing, %d expected; %d hashes checked", marked, len(missing), checked)
	}
	t.Logf("%d releases' hashes checked, %d missing", checked, marked)
}

// rawSaysMissing reads a solver error as JSON: is_provided_package or
// is_provided_package_version false, or pip's "(from versions: ...)" naming
// versions among which version is not (compared in PEP 440).
func rawSaysMissing(e map[string]any, version string) bool {
	for _, f := range []string{"is_provided_package", "is_provided_package_version"} {
		if b, ok := e[f].(bool); ok && !b {
			return true
		}
	}
	details, _ := e["details"].(map[string]any)
	for _, f := range []string{"stderr", "message"} {
		text, _ := details[f].(string)
		_, rest, found := strings.Cut(text, "(from versions:")
		if !found {
			continue
		}
		list, _, _ := strings.Cut(rest, ")")
		want, err := python.ParseVersion(version)
		listed := false
		n := 0
		for _, v := range strings.Split(list, ",") {
			v = strings.TrimSpace(v)
			if v == "" || v == "none" {
				continue
			}
			n++
			if p, perr := python.ParseVersion(v); v == version || (err == nil && perr == nil && p.Compare(want) == 0) {
				listed = true
			}
		}
		if n > 0 {
			return !listed
		}
	}
	return false
}
