package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/ingest/solver"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
	"github.com/seshat-graph/seshat/resolvers"
	"github.com/seshat-graph/seshat/server"
)

// The solver metadata of whole documents, read back through GraphQL and
// compared with what the document's JSON says, read here without the
// parser: TestSolverMetadataDocuments over the project's testdata/solver,
// TestThothSolverMetadata (thoth tag) over the real Thoth documents.

// emptyHarness is a GraphQL server over a fresh database with nothing in it.
func emptyHarness(t *testing.T) *harness {
	t.Helper()
	store, tracer, _ := testenv.Store(t)
	logger := testenv.Logger(t)
	r := &resolvers.Resolver{Store: store, Logger: logger, Limits: resolvers.Limits{MaxDepth: 20, MaxPageSize: 200, DefaultPage: 50}}
	return &harness{url: serve(t, server.GraphQL(r, logger, server.GraphQLOptions{Timeout: time.Minute})), store: store, tracer: tracer}
}

// entryMetadata is what one tree entry says, as GraphQL should answer it.
type entryMetadata struct {
	name, version, text, index string
	importNames                []string
	metadata                   map[string]any // nil: no metadata
	platform                   *string
}

func jsonStr(v any) *string {
	if s, ok := v.(string); ok {
		return &s
	}
	return nil
}

// multiple is a multiple-use field: a list, or a lone value as a string.
func multiple(v any) []string {
	out := []string{}
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, x := range v {
			out = append(out, x.(string))
		}
	}
	return out
}

// importNamesOf is the entry's packages list, or the packages its files
// hold (directories with __init__.py, inside site-packages), shallowest
// first, then by name, as the GraphQL answer orders them.
func importNamesOf(entry map[string]any) []string {
	names := []string{}
	if ps, ok := entry["packages"].([]any); ok {
		for _, p := range ps {
			names = append(names, p.(string))
		}
	} else if im, ok := entry["importlib_metadata"].(map[string]any); ok {
		seen := map[string]bool{}
		files, _ := im["files"].([]any)
		for _, f := range files {
			path := f.(map[string]any)["path"].(string)
			dir, ok := strings.CutSuffix(path, "/__init__.py")
			if !ok || dir == "" || strings.Contains("/"+dir+"/", "/../") || strings.Contains("/"+dir+"/", "/./") || strings.Contains(dir, "//") {
				continue
			}
			if n := strings.ReplaceAll(dir, "/", "."); !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.SliceStable(names, func(i, j int) bool {
		di, dj := strings.Count(names[i], "."), strings.Count(names[j], ".")
		if di != dj {
			return di < dj
		}
		return names[i] < names[j]
	})
	return names
}

// documentMetadata reads every tree entry of a solver document (the first
// of duplicated ones), with what GraphQL should answer for it.
func documentMetadata(doc map[string]any) []entryMetadata {
	result := doc["result"].(map[string]any)
	platform := jsonStr(result["platform"])
	if platform != nil && *platform == "" {
		platform = nil
	}
	seen := map[string]bool{}
	var out []entryMetadata
	tree, _ := result["tree"].([]any)
	for _, e := range tree {
		entry := e.(map[string]any)
		raw := strings.TrimSpace(entry["package_version"].(string))
		version, _ := python.NormalizeVersion(raw)
		index := ""
		if u, ok := entry["index_url"].(string); ok && u != "" {
			index = python.NormalizeIndexURL(u)
		}
		name := python.NormalizeName(entry["package_name"].(string))
		key := name + "==" + version + "@" + index
		if seen[key] {
			continue
		}
		seen[key] = true
		em := entryMetadata{name: name, version: version, text: raw, index: index, importNames: importNamesOf(entry), platform: platform}
		im, _ := entry["importlib_metadata"].(map[string]any)
		md, _ := im["metadata"].(map[string]any)
		lic, hasLicense := entry["package_license"].(map[string]any)
		_, hasPackages := entry["packages"]
		if md != nil || hasLicense || hasPackages {
			m := map[string]any{
				"author": jsonStr(md["Author"]), "authorEmail": jsonStr(md["Author-email"]), "homePage": jsonStr(md["Home-page"]),
				"requiresDist": multiple(md["Requires-Dist"]), "providesExtra": multiple(md["Provides-Extra"]),
				"platforms": multiple(md["Platform"]), "license": jsonStr(md["License"]), "summary": jsonStr(md["Summary"]),
			}
			urls := []map[string]string{}
			for _, u := range multiple(md["Project-URL"]) {
				label, url, ok := strings.Cut(u, ",")
				if !ok {
					label, url = "", u
				}
				urls = append(urls, map[string]string{"label": strings.TrimSpace(label), "url": strings.TrimSpace(url)})
			}
			m["projectUrls"] = urls
			if hasLicense {
				pl := map[string]any{"version": jsonStr(lic["license_version"]), "name": (*string)(nil), "identifier": (*string)(nil)}
				switch l := lic["license"].(type) {
				case string:
					pl["name"] = &l
				case map[string]any:
					pl["name"], pl["identifier"] = jsonStr(l["full_name"]), jsonStr(l["identifier_spdx"])
				}
				if w, ok := lic["warning"].(bool); ok {
					pl["warning"] = &w
				} else {
					pl["warning"] = (*bool)(nil)
				}
				m["packageLicense"] = pl
			}
			em.metadata = m
		}
		out = append(out, em)
	}
	return out
}

type gotMetadata struct {
	Summary, License, Author, AuthorEmail, HomePage *string
	RequiresDist, ProvidesExtra, Platforms          []string
	ProjectUrls                                     []map[string]string
	PackageLicense                                  *struct {
		Name, Identifier, Version *string
		Warning                   *bool
	}
}

// checkDocumentMetadata ingests each document into a graph of its own
// (so that no other document's run wins a version) and compares, entry by
// entry, what GraphQL answers with what the document says; then every
// import name is looked up with packagesProvidingImport and must find the
// entry. It returns the number of entries, of entries with metadata and of
// import names checked.
func checkDocumentMetadata(t *testing.T, docs []testenv.SolverDocument) (entries, described, imports int) {
	t.Helper()
	for _, d := range docs {
		parsed, err := solver.ParseNamed(d.ID, d.Raw)
		if err != nil {
			t.Logf("%s: refused by the parser (%v); its metadata is not stored", d.File, err)
			continue
		}
		h := emptyHarness(t)
		if _, err := h.store.IngestSolverResult(context.Background(), persistence.DocumentRef{ID: d.ID, Kind: "solver", SHA256: d.ID},
			ingest.SolverResult(parsed), false); err != nil {
			t.Fatalf("%s: %v", d.File, err)
		}
		for _, want := range documentMetadata(d.Doc) {
			entries++
			var out struct {
				PackageVersion *struct {
					Version, VersionText string
					ImportNames          []string
					Metadata             *gotMetadata
					Solved               []struct{ Platform *string }
				}
			}
			var index any
			if want.index != "" {
				index = want.index
			}
			h.query(t, `query($n: String!, $v: String!, $i: String) { packageVersion(name: $n, version: $v, indexUrl: $i) {
				version versionText importNames
				metadata { summary license author authorEmail homePage requiresDist providesExtra platforms projectUrls { label url }
					packageLicense { name identifier version warning } }
				solved { platform } } }`, map[string]any{"n": want.name, "v": want.text, "i": index}, &out)
			at := fmt.Sprintf("%s: %s==%s@%s", d.File, want.name, want.text, want.index)
			got := out.PackageVersion
			if got == nil {
				t.Errorf("%s: not found", at)
				continue
			}
			if got.Version != want.version || got.VersionText != want.text || !reflect.DeepEqual(got.ImportNames, want.importNames) {
				t.Errorf("%s: version %q (%q), import names %q; want %q (%q), %q", at, got.Version, got.VersionText, got.ImportNames,
					want.version, want.text, want.importNames)
			}
			if len(got.Solved) != 1 || !reflect.DeepEqual(got.Solved[0].Platform, want.platform) {
				t.Errorf("%s: solved %+v, want one run on platform %v", at, got.Solved, plain(want.platform))
			}
			switch m := got.Metadata; {
			case want.metadata == nil && m != nil:
				t.Errorf("%s: metadata %+v, the document has none", at, m)
			case want.metadata != nil && m == nil:
				t.Errorf("%s: no metadata", at)
			case m != nil:
				described++
				w := want.metadata
				for _, c := range []struct {
					field     string
					got, want any
				}{
					{"summary", m.Summary, w["summary"]}, {"license", m.License, w["license"]}, {"author", m.Author, w["author"]},
					{"authorEmail", m.AuthorEmail, w["authorEmail"]}, {"homePage", m.HomePage, w["homePage"]},
					{"requiresDist", m.RequiresDist, w["requiresDist"]}, {"providesExtra", m.ProvidesExtra, w["providesExtra"]},
					{"platforms", m.Platforms, w["platforms"]}, {"projectUrls", m.ProjectUrls, w["projectUrls"]},
				} {
					if fmt.Sprint(plain(c.got)) != fmt.Sprint(plain(c.want)) {
						t.Errorf("%s: %s = %v, want %v", at, c.field, plain(c.got), plain(c.want))
					}
				}
				wl, _ := w["packageLicense"].(map[string]any)
				switch l := m.PackageLicense; {
				case (l == nil) != (wl == nil):
					t.Errorf("%s: packageLicense %+v, want %v", at, l, wl)
				case l != nil && (fmt.Sprint(plain(l.Name), plain(l.Identifier), plain(l.Version), plain(l.Warning)) !=
					fmt.Sprint(plain(wl["name"]), plain(wl["identifier"]), plain(wl["version"]), plain(wl["warning"]))):
					t.Errorf("%s: packageLicense %v %v %v %v, want %v", at, plain(l.Name), plain(l.Identifier), plain(l.Version), plain(l.Warning), wl)
				}
			}
			for _, name := range want.importNames {
				imports++
				var p struct {
					PackagesProvidingImport struct {
						Edges []struct {
							Node struct{ Name, Version string }
						}
					}
				}
				h.query(t, `query($n: String!) { packagesProvidingImport(name: $n, first: 200) { edges { node { name version } } } }`,
					map[string]any{"n": name}, &p)
				found := false
				for _, e := range p.PackagesProvidingImport.Edges {
					found = found || (e.Node.Name == want.name && e.Node.Version == want.version)
				}
				if !found {
					t.Errorf("%s: packagesProvidingImport(%q) = %+v, lacks it", at, name, p.PackagesProvidingImport.Edges)
				}
			}
		}
	}
	return entries, described, imports
}

// plain is the value a pointer points at ("<nil>" for nil), for messages
// and comparisons of optional values.
func plain(v any) any {
	switch p := v.(type) {
	case *string:
		if p == nil {
			return "<nil>"
		}
		return *p
	case *bool:
		if p == nil {
			return "<nil>"
		}
		return *p
	case nil:
		return "<nil>"
	}
	if b, err := json.Marshal(v); err == nil && string(b) == "null" {
		return "<nil>"
	}
	return v
}

// TestSolverMetadataDocuments: every document of the project's
// testdata/solver, entry by entry, as GraphQL answers it.
func TestSolverMetadataDocuments(t *testing.T) {
	t.Parallel()
	entries, described, imports := checkDocumentMetadata(t, testenv.SolverDocuments(t, testenv.Testdata(t, "solver")))
	t.Logf("%d entries, %d with metadata, %d import names checked", entries, described, imports)
	if entries < 15 || described < 5 || imports < 4 {
		t.Errorf("checked %d entries, %d with metadata, %d import names: the documents or the reading changed", entries, described, imports)
	}
}
