package resolvers_test

import (
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/python"
)

const resolveQuery = `query($in: ResolveInput!) { resolve(input: $in) {
  resolved explanation steps statements requirementsTxt pipfileLock
  unsolved { name version }
  packages { name version indexUrl hashes depth candidates reason extras
    packageVersion { id name version }
    requiredBy { name version versionRange marker extra constraint }
    vulnerabilities { id } } } }`

type resolution struct {
	Resolve struct {
		Resolved        bool
		Explanation     *string
		Steps           int
		Statements      int
		RequirementsTxt *string
		PipfileLock     map[string]any
		Unsolved        []struct{ Name, Version string }
		Packages        []lockedPackage
	}
}

// lockedPackage is a ResolvedPackage as resolveQuery selects it.
type lockedPackage struct {
	Name, Version, Reason string
	IndexURL              *string
	Hashes, Extras        []string
	Depth, Candidates     int
	PackageVersion        struct{ ID, Name, Version string }
	RequiredBy            []struct {
		Name, VersionRange string
		Version, Marker    *string
		Extra              *string
		Constraint         bool
	}
	Vulnerabilities []struct{ ID string }
}

func resolveVars(env int, reqs []string, extra map[string]any) map[string]any {
	in := map[string]any{"requirements": reqs, "environment": envVar(envs[env])}
	for k, v := range extra {
		in[k] = v
	}
	return map[string]any{"in": in}
}

// TestResolveStatements: the candidate graph is read one statement per
// level over the whole frontier, so a resolution of a root with a large
// closure costs its levels plus two statements (the environment, the
// lock's hashes), and the query's vulnerabilities one batched more, never
// one per package or candidate.
func TestResolveStatements(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	best := ""
	bestPicks := 0
	for i := 0; i < 30; i++ {
		name := h.g.Versions[i].Name
		var got resolution
		h.query(t, resolveQuery, resolveVars(0, []string{name}, nil), &got)
		if got.Resolve.Resolved && len(got.Resolve.Packages) > bestPicks {
			best, bestPicks = name, len(got.Resolve.Packages)
		}
	}
	if bestPicks < 10 {
		t.Fatalf("no root resolves to 10 packages or more (best %s: %d): the graph is too small to prove anything", best, bestPicks)
	}
	var got resolution
	n := h.query(t, resolveQuery, resolveVars(0, []string{best}, nil), &got)
	r := got.Resolve
	maxDepth := 0
	for _, p := range r.Packages {
		maxDepth = max(maxDepth, p.Depth)
	}
	// Levels read: at least the lock's depth; the store reads every
	// package any candidate requires, so a few more than the lock's depth.
	if int64(r.Statements)+1 != n {
		t.Errorf("the query ran %d statements, the resolution says %d (+1 for vulnerabilities)", n, r.Statements)
	}
	if r.Statements > 2+len(h.g.ByPackage) || r.Statements >= bestPicks {
		t.Errorf("%d statements for %d packages: not bounded by levels", r.Statements, bestPicks)
	}
	t.Logf("resolve %s: %d packages, lock depth %d, %d statements, %d steps", best, bestPicks, maxDepth, r.Statements, r.Steps)
	checkLock(t, r.Packages)
}

// checkLock: every requirement a package lists admits its version, and
// every package but the roots has a parent in the lock.
func checkLock(t *testing.T, pkgs []lockedPackage) {
	t.Helper()
	picked := map[string]string{}
	for _, p := range pkgs {
		picked[p.Name] = p.Version
	}
	for _, p := range pkgs {
		v, err := python.ParseVersion(p.Version)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.RequiredBy) == 0 || p.Reason == "" || p.Candidates < 1 || p.PackageVersion.Version != p.Version {
			t.Errorf("%s %s: requiredBy %v, reason %q, candidates %d", p.Name, p.Version, p.RequiredBy, p.Reason, p.Candidates)
		}
		for _, r := range p.RequiredBy {
			s, err := python.ParseSpecifier(r.VersionRange)
			if err != nil {
				t.Fatal(err)
			}
			if !s.Matches(v) {
				t.Errorf("%s %s is picked but %s requires %s", p.Name, p.Version, r.Name, r.VersionRange)
			}
			if r.Name != "root" && (r.Version == nil || picked[r.Name] != *r.Version) {
				t.Errorf("%s %s is required by %s %v, which is not in the lock", p.Name, p.Version, r.Name, r.Version)
			}
		}
	}
}

// TestResolveVersions: PEP 440 order, pre-releases only when named or
// allowed, OLDEST, constraints, requirements of picks followed, and the
// lock files.
func TestResolveVersions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tc := range []struct {
		name  string
		reqs  []string
		extra map[string]any
		want  map[string]string // name -> version; nil: not resolved
	}{
		{"highest final release", []string{"pep-order"}, nil, map[string]string{"pep-order": "2.0"}},
		{"PEP 440 order", []string{"pep-order<2"}, nil, map[string]string{"pep-order": "1.10"}},
		{"a named pre-release", []string{"pep-order>=2.0rc1,!=2.0"}, nil, map[string]string{"pep-order": "2.0rc1"}},
		{"<2 leaves out 2.0rc1 (PEP 440)", []string{"pep-order>=2.0rc1,<2"}, nil, nil},
		{"oldest skips the dev release", []string{"pep-order"}, map[string]any{"strategy": "OLDEST"}, map[string]string{"pep-order": "0.9"}},
		{"oldest above 0.9", []string{"pep-order>0.9"}, map[string]any{"strategy": "OLDEST"}, map[string]string{"pep-order": "1.9"}},
		{"oldest with pre-releases", []string{"pep-order>0.9"}, map[string]any{"strategy": "OLDEST", "allowPrereleases": true}, map[string]string{"pep-order": "1.0.dev1"}},
		{"constraint bounds a root", []string{"pep-order"}, map[string]any{"constraints": []string{"pep-order<1.10"}}, map[string]string{"pep-order": "1.9"}},
		{"constraint adds nothing", []string{"pep-order"}, map[string]any{"constraints": []string{"py-yaml==6.0"}}, map[string]string{"pep-order": "2.0"}},
		{"requirements followed", []string{"Py_YAML"}, nil, map[string]string{"py-yaml": "6.0", "ruamel-yaml": "0.17.21"}},
		{"only pre-releases", []string{"only-pre"}, nil, nil},
		{"only pre-releases, allowed", []string{"only-pre"}, map[string]any{"allowPrereleases": true}, map[string]string{"only-pre": "3.0b1"}},
		{"index not allowed", []string{"only-pre"}, map[string]any{"allowPrereleases": true, "indexUrls": []string{indexA}}, nil},
		{"conflict", []string{"pep-order>=2", "pep-order<1.10"}, nil, nil},
		{"marker false drops a root", []string{"pep-order", "py-yaml; python_version < '3'"}, nil, map[string]string{"pep-order": "2.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got resolution
			h.query(t, resolveQuery, resolveVars(0, tc.reqs, tc.extra), &got)
			r := got.Resolve
			if tc.want == nil {
				if r.Resolved || r.Explanation == nil || *r.Explanation == "" || len(r.Packages) != 0 || r.RequirementsTxt != nil {
					t.Fatalf("want unresolved with an explanation, got %+v", r)
				}
				t.Logf("explanation: %s", *r.Explanation)
				return
			}
			if !r.Resolved {
				t.Fatalf("not resolved: %v", deref(r.Explanation))
			}
			have := map[string]string{}
			for _, p := range r.Packages {
				have[p.Name] = p.Version
			}
			if len(have) != len(tc.want) {
				t.Errorf("lock %v, want %v", have, tc.want)
			}
			for n, v := range tc.want {
				if have[n] != v {
					t.Errorf("%s: %q, want %q (lock %v)", n, have[n], v, have)
				}
				if !strings.Contains(*r.RequirementsTxt, n+"=="+v) {
					t.Errorf("requirementsTxt lacks %s==%s:\n%s", n, v, *r.RequirementsTxt)
				}
				def, _ := r.PipfileLock["default"].(map[string]any)
				entry, _ := def[n].(map[string]any)
				if entry["version"] != "=="+v {
					t.Errorf("pipfileLock default[%s] = %v", n, entry)
				}
			}
			checkLock(t, r.Packages)
		})
	}
}

// TestResolveInvalid: bad input is INVALID with where it went wrong; an
// unknown environment is an answer, not an error.
func TestResolveInvalid(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tc := range []struct {
		reqs, constraints []string
		env               map[string]any
		want              string
	}{
		{reqs: []string{"pep-order", "flask 2.0"}, want: "requirements[1]: position 6"},
		{reqs: []string{}, want: "at least one"},
		{reqs: []string{"x @ https://example.com/x.whl"}, want: "direct references"},
		{reqs: []string{"flask; python_version >"}, want: "position 23"},
		{reqs: []string{"flask"}, constraints: []string{"six=="}, want: "constraints[0]"},
		{reqs: []string{"flask"}, env: map[string]any{"osName": "", "osVersion": "8", "pythonVersion": "3.8"}, want: ""},
	} {
		in := map[string]any{"requirements": tc.reqs, "environment": envVar(envs[0])}
		if tc.constraints != nil {
			in["constraints"] = tc.constraints
		}
		if tc.env != nil {
			in["environment"] = tc.env
		}
		errs := h.do(t, "", resolveQuery, map[string]any{"in": in}, nil)
		if len(errs) != 1 || errs[0].Extensions["code"] != "INVALID" || !strings.Contains(errs[0].Message, tc.want) {
			t.Errorf("%v: errors %+v, want one INVALID containing %q", tc.reqs, errs, tc.want)
		}
	}
	var got resolution
	h.query(t, resolveQuery, map[string]any{"in": map[string]any{"requirements": []string{"pep-order"},
		"environment": map[string]any{"osName": "debian", "osVersion": "12", "pythonVersion": "3.11"}}}, &got)
	if got.Resolve.Resolved || got.Resolve.Explanation == nil || !strings.Contains(*got.Resolve.Explanation, "no environment") {
		t.Errorf("unknown environment: %+v", got.Resolve)
	}
}
