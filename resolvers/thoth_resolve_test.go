//go:build thoth

package resolvers_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/python"
)

// The resolve query over the real solver documents: a lock (or its
// absence) checked against a plain reading of the documents' JSON.

// docVersion is one version a real solver document solved in an
// environment, with the requirements it read.
type docVersion struct {
	version python.Version
	deps    []docDep
}

// docDep is one dependency entry of a solved version.
type docDep struct {
	name   string
	spec   python.Specifier
	text   string
	extras []string // the requiring package's extras it applies under; none: always
	marker bool     // marker_evaluation_result (true when absent)
	// resolved are the versions the solver found on an index for it.
	resolved []string
}

// docGraph is what the documents of one environment say: per package
// (PEP 503 name), the versions solved without error.
type docGraph map[string][]docVersion

// readDocGraph reads the real solver documents of osName osVersion /
// Python py (metadata.distribution, which thoth-solver 1.0.x wrote, else
// metadata.os_release; metadata.python), leaving out the versions a
// document lists among its errors.
func readDocGraph(t *testing.T, osName, osVersion, py string) docGraph {
	t.Helper()
	g := docGraph{}
	for _, d := range thothDocuments(t) {
		meta, _ := d.Doc["metadata"].(map[string]any)
		pyv, _ := meta["python"].(map[string]any)
		var docOS, docOSVersion any
		if dist, ok := meta["distribution"].(map[string]any); ok {
			docOS, docOSVersion = dist["id"], dist["version"]
		} else if osr, ok := meta["os_release"].(map[string]any); ok {
			docOS, docOSVersion = osr["id"], osr["version_id"]
		}
		if pyv == nil || docOS != osName || fmt.Sprint(docOSVersion) != osVersion || fmt.Sprintf("%v.%v", pyv["major"], pyv["minor"]) != py {
			continue
		}
		result, _ := d.Doc["result"].(map[string]any)
		failed := map[string]bool{}
		for _, e := range docList(result["errors"]) {
			failed[python.NormalizeName(docStr(e["package_name"]))+"=="+docStr(e["version"])] = true
			failed[python.NormalizeName(docStr(e["package_name"]))+"=="+docStr(e["package_version"])] = true
		}
		for _, entry := range docList(result["tree"]) {
			name, version := python.NormalizeName(docStr(entry["package_name"])), docStr(entry["package_version"])
			if failed[name+"=="+version] {
				continue
			}
			v, err := python.ParseVersion(version)
			if err != nil {
				t.Logf("%s: %s %q is no PEP 440 version: never a candidate", d.File, name, version)
				continue
			}
			dv := docVersion{version: v}
			for _, dep := range docList(entry["dependencies"]) {
				text := docStr(dep["specifier"])
				if text == "" {
					text = docStr(dep["required_version"])
				}
				spec, err := python.ParseSpecifier(text)
				if err != nil {
					t.Fatalf("%s: %s %s requires %s %q: %v", d.File, name, version, dep["package_name"], text, err)
				}
				dd := docDep{name: python.NormalizeName(docStr(dep["package_name"])), spec: spec, text: text, marker: dep["marker_evaluation_result"] != false}
				switch x := dep["extra"].(type) {
				case string:
					dd.extras = []string{x}
				case []any:
					for _, e := range x {
						dd.extras = append(dd.extras, docStr(e))
					}
				}
				switch rv := dep["resolved_versions"].(type) {
				case []any:
					for _, r := range rv {
						switch r := r.(type) {
						case string:
							dd.resolved = append(dd.resolved, r)
						case map[string]any:
							for _, s := range r["versions"].([]any) {
								dd.resolved = append(dd.resolved, docStr(s))
							}
						}
					}
				}
				dv.deps = append(dv.deps, dd)
			}
			g[name] = append(g[name], dv)
		}
	}
	if len(g) == 0 {
		t.Fatalf("no real solver document of %s %s / Python %s", osName, osVersion, py)
	}
	return g
}

func mustSpecifier(t *testing.T, s string) python.Specifier {
	t.Helper()
	sp, err := python.ParseSpecifier(s)
	if err != nil {
		t.Fatalf("specifier %q: %v", s, err)
	}
	return sp
}

func docList(v any) []map[string]any {
	var out []map[string]any
	for _, e := range docSlice(v) {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func docSlice(v any) []any { s, _ := v.([]any); return s }

func docStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// applies reports whether a dependency entry is a requirement of its
// version when the extras active on the package are active: its marker
// held, and it has no extra or one of them is active.
func (d docDep) applies(active map[string]bool) bool {
	return d.marker && (len(d.extras) == 0 || slices.ContainsFunc(d.extras, func(x string) bool { return active[x] }))
}

func (g docGraph) solved(name, version string) *docVersion {
	for i, dv := range g[name] {
		if dv.version.String() == version {
			return &g[name][i]
		}
	}
	return nil
}

// checkDocLock checks a resolved lock against the documents: every locked
// version is solved in the environment, every requirement of a locked
// version that applies (the root's extras active on the roots) names a
// locked package whose version its specifier admits and is listed in that
// package's requiredBy, and every locked package is required by a root or
// by such a requirement.
func checkDocLock(t *testing.T, g docGraph, roots map[string][]string, pkgs []lockedPackage) {
	t.Helper()
	locked := map[string]lockedPackage{}
	for _, p := range pkgs {
		locked[p.Name] = p
		if g.solved(p.Name, p.Version) == nil {
			t.Errorf("%s %s is locked but no document solved it in the environment", p.Name, p.Version)
		}
	}
	required := map[string]bool{}
	for name := range roots {
		required[name] = true
	}
	for _, p := range pkgs {
		dv := g.solved(p.Name, p.Version)
		if dv == nil {
			continue
		}
		active := map[string]bool{}
		for _, x := range roots[p.Name] {
			active[x] = true
		}
		for _, d := range dv.deps {
			if !d.applies(active) {
				continue
			}
			required[d.name] = true
			q, ok := locked[d.name]
			if !ok {
				t.Errorf("%s %s requires %s%s (document), which is not locked", p.Name, p.Version, d.name, d.text)
				continue
			}
			v, _ := python.ParseVersion(q.Version)
			if !d.spec.Matches(v) {
				t.Errorf("%s %s requires %s%s (document), the lock has %s", p.Name, p.Version, d.name, d.text, q.Version)
			}
			if !slices.ContainsFunc(q.RequiredBy, func(r requirer) bool {
				return r.Name == p.Name && r.Version != nil && *r.Version == p.Version
			}) {
				t.Errorf("%s %s: requiredBy %+v does not list %s %s", q.Name, q.Version, q.RequiredBy, p.Name, p.Version)
			}
		}
	}
	for _, p := range pkgs {
		if !required[p.Name] {
			t.Errorf("%s %s is locked but nothing requires it", p.Name, p.Version)
		}
	}
	for name := range required {
		if _, ok := locked[name]; !ok {
			t.Errorf("%s is required but not locked", name)
		}
	}
}

type requirer = struct {
	Name, VersionRange string
	Version, Marker    *string
	Extra              *string
	Constraint         bool
}

// thothResolveHarness is a gateway over every real solver document,
// synced.
func thothResolveHarness(t *testing.T) *harness {
	t.Helper()
	h, docs := ingestHarness(t)
	for _, d := range thothDocuments(t) {
		if err := docs.Put(t.Context(), d.Key, d.Raw); err != nil {
			t.Fatal(err)
		}
	}
	if errs := h.do(t, ingestSecret, syncMutation, map[string]any{"input": map[string]any{"prefix": "solver"}}, nil); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	return h
}

func logLock(t *testing.T, what string, r resolution) {
	t.Helper()
	var b strings.Builder
	for _, p := range r.Resolve.Packages {
		var by []string
		for _, q := range p.RequiredBy {
			who := q.Name
			if q.Version != nil {
				who += " " + *q.Version
			}
			by = append(by, who+" ("+q.VersionRange+")")
		}
		fmt.Fprintf(&b, "\n  %s==%s depth %d, %d candidates, extras %v, required by %s", p.Name, p.Version, p.Depth, p.Candidates, p.Extras, strings.Join(by, ", "))
	}
	t.Logf("%s: resolved %v, %d steps, %d statements, %d unsolved%s\nexplanation: %s", what, r.Resolve.Resolved, r.Resolve.Steps, r.Resolve.Statements, len(r.Resolve.Unsolved), b.String(), deref(r.Resolve.Explanation))
}

// TestThothResolveDask resolves dask[array] in Fedora 31 / Python 3.7 on
// the real documents. What they say decides the answer: when every
// version of dask solved there has a requirement under [array] (or none)
// whose package has no version solved there, there is no lock, the
// explanation names such a package and unsolved lists every version the
// solver found for it that the graph still holds as served (what a
// refresh hands to solvers next), and no version of a package dask[array]
// does not require (bokeh, under [complete]); otherwise the lock is
// checked against the documents.
func TestThothResolveDask(t *testing.T) {
	t.Parallel()
	g := readDocGraph(t, "fedora", "31", "3.7")
	h := thothResolveHarness(t)
	env := map[string]any{"osName": "fedora", "osVersion": "31", "pythonVersion": "3.7"}
	var got resolution
	h.query(t, resolveQuery, map[string]any{"in": map[string]any{"requirements": []string{"dask[array]"}, "environment": env}}, &got)
	r := got.Resolve
	logLock(t, "dask[array] in fedora 31 / Python 3.7", got)

	if len(g["dask"]) == 0 {
		t.Fatalf("no document solved dask in fedora 31 / Python 3.7")
	}
	array := map[string]bool{"array": true}
	missing := map[string][]string{} // package -> the versions the solver found
	lockable := false
	for _, dv := range g["dask"] {
		blocked := false
		for _, d := range dv.deps {
			if d.applies(array) && len(g[d.name]) == 0 {
				blocked = true
				missing[d.name] = append(missing[d.name], d.resolved...)
			}
		}
		lockable = lockable || !blocked
	}
	if lockable {
		if !r.Resolved {
			t.Fatalf("not resolved (%s), but a version of dask has every requirement under [array] solved", deref(r.Explanation))
		}
		checkDocLock(t, g, map[string][]string{"dask": {"array"}}, r.Packages)
		return
	}
	t.Logf("the documents solve dask %v in fedora 31 / Python 3.7 and none of %v", g["dask"][0].version, slices.Sorted(maps.Keys(missing)))
	if r.Resolved || len(r.Packages) != 0 || r.RequirementsTxt != nil || r.PipfileLock != nil || r.Steps < 1 {
		t.Fatalf("resolved %v with %d packages in %d steps; want no lock, dask tried", r.Resolved, len(r.Packages), r.Steps)
	}
	if r.Explanation == nil || !slices.ContainsFunc(slices.Collect(maps.Keys(missing)), func(n string) bool { return strings.Contains(*r.Explanation, n) }) {
		t.Errorf("explanation %q names none of %v", deref(r.Explanation), slices.Sorted(maps.Keys(missing)))
	}
	unsolved := map[string]bool{}
	for _, u := range r.Unsolved {
		unsolved[u.Name+"=="+u.Version] = true
		if g.solved(u.Name, u.Version) != nil {
			t.Errorf("unsolved lists %s %s, which a document solved in the environment", u.Name, u.Version)
		}
		if _, needed := missing[u.Name]; !needed {
			t.Errorf("unsolved lists %s %s, which dask[array] does not require", u.Name, u.Version)
		}
	}
	// Of the versions the solver found, those the graph holds as still
	// served (a later listing of the index without them marks them
	// missing) are the ones to solve next.
	for _, name := range slices.Sorted(maps.Keys(missing)) {
		served := servedVersions(t, h, name)
		var gone []string
		for _, s := range missing[name] {
			v, err := python.ParseVersion(s)
			if err != nil {
				continue // a version PEP 440 does not describe is no candidate
			}
			switch {
			case !served[v.String()]:
				gone = append(gone, s)
			case !unsolved[name+"=="+v.String()]:
				t.Errorf("unsolved lacks %s %s, which dask requires under [array] and no document solved here", name, v)
			}
		}
		if len(gone) == len(missing[name]) {
			t.Errorf("the graph serves none of the %d versions of %s the solver found", len(gone), name)
		}
		if len(gone) > 0 {
			t.Logf("%s: %d versions the solver found are no longer served: %v", name, len(gone), gone)
		}
	}
}

// servedVersions are the versions of name the graph says its index still
// serves.
func servedVersions(t *testing.T, h *harness, name string) map[string]bool {
	t.Helper()
	var got struct {
		Package *struct {
			Versions struct {
				Edges []struct{ Node struct{ Version string } }
			}
		}
	}
	h.query(t, `query($n: String!) { package(name: $n) { versions(first: 200) { edges { node { version } } } } }`, map[string]any{"n": name}, &got)
	out := map[string]bool{}
	if got.Package != nil {
		for _, e := range got.Package.Versions.Edges {
			out[e.Node.Version] = true
		}
	}
	return out
}

// TestThothResolveSolved resolves roots whose closure a real document
// solved transitively (thoth-solver 1.0 in Fedora 26 / Python 3.6),
// latest and oldest: a lock every requirement of the documents holds in,
// each pick the highest (lowest) fitting final release when the search
// never went back.
func TestThothResolveSolved(t *testing.T) {
	t.Parallel()
	g := readDocGraph(t, "fedora", "26", "3.6")
	h := thothResolveHarness(t)
	env := map[string]any{"osName": "fedora", "osVersion": "26", "pythonVersion": "3.6"}
	for _, root := range []string{"jupyter-client", "prompt-toolkit"} {
		for _, strategy := range []string{"LATEST", "OLDEST"} {
			t.Run(root+"/"+strategy, func(t *testing.T) {
				var got resolution
				h.query(t, resolveQuery, map[string]any{"in": map[string]any{"requirements": []string{root}, "environment": env, "strategy": strategy}}, &got)
				logLock(t, root+" "+strategy, got)
				if !got.Resolve.Resolved {
					t.Fatalf("not resolved: %s", deref(got.Resolve.Explanation))
				}
				pkgs := got.Resolve.Packages
				checkDocLock(t, g, map[string][]string{root: nil}, pkgs)
				if got.Resolve.Steps != len(pkgs) {
					t.Logf("%d steps for %d packages: the search went back, picks need not be first choices", got.Resolve.Steps, len(pkgs))
					return
				}
				// No step went back: every pick is the best final release
				// the documents solved that every requirement on it in the
				// lock admits.
				for _, p := range pkgs {
					var fits []python.Version
					for _, dv := range g[p.Name] {
						if !dv.version.IsPreRelease() && !slices.ContainsFunc(fits, func(v python.Version) bool { return v.Compare(dv.version) == 0 }) &&
							!slices.ContainsFunc(p.RequiredBy, func(r requirer) bool { return !mustSpecifier(t, r.VersionRange).Matches(dv.version) }) {
							fits = append(fits, dv.version)
						}
					}
					slices.SortFunc(fits, python.Version.Compare)
					if len(fits) == 0 {
						t.Errorf("%s %s: no final release the documents solved fits %+v", p.Name, p.Version, p.RequiredBy)
						continue
					}
					best := fits[len(fits)-1]
					if strategy == "OLDEST" {
						best = fits[0]
					}
					if best.String() != p.Version {
						t.Errorf("%s %s under %s, but %s fits every requirement on it (of %v)", p.Name, p.Version, strategy, best, fits)
					}
				}
			})
		}
	}
}
