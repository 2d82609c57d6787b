package persistence

import (
	"strings"

	"github.com/seshat-graph/seshat/python"
)

// NormalVersion is the form versions are stored and looked up in: the PEP
// 440 normal form (python.NormalizeVersion), or the string trimmed when PEP
// 440 does not describe it.
func NormalVersion(v string) string {
	n, _ := python.NormalizeVersion(v)
	return n
}

// NormalIndexURL is the form index URLs are stored and looked up in
// (python.NormalizeIndexURL); nil stays nil.
func NormalIndexURL(u *string) *string {
	if u == nil {
		return nil
	}
	n := python.NormalizeIndexURL(*u)
	return &n
}

// normalResult returns a copy of res with every version and index URL in
// its stored form, and the spellings of the versions whose document text
// differed from that form: a tree entry's own (the version the solver
// installed), else the first resolved version's.
func normalResult(res *SolverResult) (*SolverResult, map[versionKey]string) {
	out := *res
	texts := map[versionKey]string{}
	urls := map[string]string{}
	url := func(u string) string {
		if u == "" {
			return ""
		}
		n, ok := urls[u]
		if !ok {
			n = python.NormalizeIndexURL(u)
			urls[u] = n
		}
		return n
	}
	spelled := map[versionKey]bool{} // the spelling is chosen
	version := func(name, v, index string) string {
		n := NormalVersion(v)
		k := versionKey{name, n, index}
		if !spelled[k] {
			spelled[k] = true
			if t := strings.TrimSpace(v); t != n {
				texts[k] = t
			}
		}
		return n
	}
	out.Entries = make([]SolvedEntry, len(res.Entries))
	for i, e := range res.Entries {
		e.IndexURL = url(e.IndexURL)
		e.Version = version(e.Name, e.Version, e.IndexURL)
		out.Entries[i] = e
	}
	for i := range out.Entries {
		e := &out.Entries[i]
		deps := make([]DependencyEntry, len(e.Dependencies))
		for j, d := range e.Dependencies {
			resolved := make([]ResolvedEntry, len(d.Resolved))
			for k, r := range d.Resolved {
				r.IndexURL = url(r.IndexURL)
				vs := make([]string, len(r.Versions))
				for n, v := range r.Versions {
					vs[n] = version(d.Name, v, r.IndexURL)
				}
				r.Versions = vs
				resolved[k] = r
			}
			d.Resolved = resolved
			deps[j] = d
		}
		e.Dependencies = deps
	}
	out.Problems = make([]ProblemEntry, len(res.Problems))
	for i, p := range res.Problems {
		p.IndexURL = url(p.IndexURL)
		if p.Kind == "error" && p.Version != "" {
			p.Version = NormalVersion(p.Version)
		}
		out.Problems[i] = p
	}
	return &out, texts
}
