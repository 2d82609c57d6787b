package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolve"
)

// ResolveResult is the resolve measurement on one dataset: the lock of the
// walk's root pinned (name==version), in memory and over HTTP, next to the
// same root's dependencyGraph walk.
type ResolveResult struct {
	Size        string
	Requirement string
	// Note says which requirement this is.
	Note     string
	Resolved bool
	// Explanation is the conflict when not resolved.
	Explanation string
	Packages    int
	Steps       int
	// Levels is the candidate graph's levels; Statements those of one
	// resolution in the store, HTTPStatements those of one query.
	Levels         int
	Statements     float64
	HTTPStatements float64
	Store          Dist
	HTTP           Dist
}

// resolveBody is the resolve query the HTTP measurement sends: the lock
// with every field a client installs from.
func resolveBody(requirement string, env persistence.EnvironmentKey) string {
	b, _ := json.Marshal(map[string]any{
		"query": `query Resolve($in: ResolveInput!) { resolve(input: $in) {
  resolved statements steps explanation
  packages { name version indexUrl hashes depth requiredBy { name version versionRange } }
  requirementsTxt } }`,
		"variables": map[string]any{"in": map[string]any{
			"requirements": []string{requirement},
			"environment": map[string]any{"osName": env.OSName, "osVersion": env.OSVersion,
				"pythonVersion": env.PythonVersion}}},
	})
	return string(b)
}

// MeasureStoreResolves measures the resolution of root pinned on dbURL
// (MeasureStoreResolve) and, when it has no resolution, also that of the
// root's direct requirement with the largest lock, so the figures show a
// lock being built as well as a conflict being proved.
func MeasureStoreResolves(ctx context.Context, dbURL string, root Root, iters int) ([]*ResolveResult, error) {
	tracer := &persistence.Tracer{}
	store, err := persistence.Open(ctx, dbURL, persistence.Options{Tracer: tracer})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	pinned := &ResolveResult{Requirement: root.Name + "==" + root.Version, Note: "the walk's root, pinned"}
	if err := measureStoreResolve(ctx, store, tracer, root.Environment, iters, pinned); err != nil {
		return nil, err
	}
	out := []*ResolveResult{pinned}
	if pinned.Resolved {
		return out, nil
	}
	g, err := store.CandidateGraph(ctx, persistence.CandidateQuery{Roots: []string{root.Name}, Environment: root.Environment, MaxLevels: 1})
	if err != nil {
		return nil, err
	}
	var best *resolve.Lock
	bestReq := ""
	for _, c := range g.Candidates[root.Name] {
		if c.Version.Version != root.Version {
			continue
		}
		for _, r := range c.Requirements {
			req := r.Name
			if r.VersionRange != "" && r.VersionRange != "*" {
				req += r.VersionRange
			}
			lock, err := resolve.Resolve(ctx, store, resolve.Input{Requirements: []string{req}, Environment: root.Environment})
			if err != nil {
				return nil, err
			}
			if lock.Resolved && (best == nil || len(lock.Packages) > len(best.Packages)) {
				best, bestReq = lock, req
			}
		}
	}
	if best == nil {
		return out, nil
	}
	largest := &ResolveResult{Requirement: bestReq, Note: "the root's direct requirement with the largest lock"}
	if err := measureStoreResolve(ctx, store, tracer, root.Environment, iters, largest); err != nil {
		return nil, err
	}
	return append(out, largest), nil
}

// measureStoreResolve times resolve.Resolve of res.Requirement, iters
// times after one warm-up, counting statements per resolution.
func measureStoreResolve(ctx context.Context, store *persistence.Store, tracer *persistence.Tracer, env persistence.EnvironmentKey, iters int, res *ResolveResult) error {
	in := resolve.Input{Requirements: []string{res.Requirement}, Environment: env}
	lock, err := resolve.Resolve(ctx, store, in)
	if err != nil {
		return err
	}
	res.Resolved, res.Packages, res.Steps = lock.Resolved, len(lock.Packages), lock.Steps
	res.Levels = lock.Statements - 1
	if lock.Resolved {
		res.Levels-- // the lock's hashes
	}
	if !lock.Resolved && lock.Explanation != nil {
		res.Explanation = *lock.Explanation
	}
	tracer.Reset()
	samples := make([]time.Duration, 0, iters)
	for range iters {
		start := time.Now()
		if _, err := resolve.Resolve(ctx, store, in); err != nil {
			return err
		}
		samples = append(samples, time.Since(start))
	}
	res.Store = Summarize(samples)
	res.Statements = float64(tracer.Count()) / float64(iters)
	return nil
}

// MeasureHTTPResolve times the resolve query against a running gateway,
// iters times after one warm-up, with the statements of one query from
// the gateway's counter.
func MeasureHTTPResolve(ctx context.Context, base string, env persistence.EnvironmentKey, iters int, res *ResolveResult) error {
	client := &http.Client{Timeout: 2 * time.Minute}
	body := resolveBody(res.Requirement, env)
	b, err := PostGraphQL(ctx, client, base+"/graphql", body)
	if err != nil {
		return err
	}
	var out struct {
		Data struct {
			Resolve struct {
				Resolved bool
				Packages []struct{ Name string }
			}
		}
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("resolve response: %w", err)
	}
	if out.Data.Resolve.Resolved != res.Resolved || len(out.Data.Resolve.Packages) != res.Packages {
		return fmt.Errorf("HTTP resolve: resolved %v, %d packages; the store %d", out.Data.Resolve.Resolved,
			len(out.Data.Resolve.Packages), res.Packages)
	}
	if res.HTTPStatements, err = RequestStatements(ctx, client, base, body); err != nil {
		return err
	}
	res.HTTP, err = TimeRequests(ctx, client, base, body, iters)
	return err
}

// resolveTarget judges DESIGN.md's "resolve costs statements bounded by
// the graph's depth": one statement per level of the candidate graph, the
// environment and the lock's hashes.
func (r *Report) resolveTarget() Target {
	t := Target{Contract: "resolve costs statements bounded by the graph's depth (levels of the candidate graph + 2)"}
	var figs []string
	for i, rr := range r.Resolves {
		ok := rr.Levels > 0 && rr.Statements <= float64(rr.Levels+2) && rr.HTTPStatements <= float64(rr.Levels+2)
		t.Met = ok && (i == 0 || t.Met)
		t.Known = true
		figs = append(figs, fmt.Sprintf("%s: %s (resolved %v, %d packages), %d levels, %.0f statements over HTTP, %.0f in the store",
			rr.Size, rr.Requirement, rr.Resolved, rr.Packages, rr.Levels, rr.HTTPStatements, rr.Statements))
	}
	t.Figure = strings.Join(figs, "; ")
	return t
}

// resolveMarkdown writes the resolve measurements next to the same root's
// dependencyGraph walk.
func (r *Report) resolveMarkdown(b *strings.Builder) {
	if len(r.Resolves) == 0 {
		return
	}
	for _, rr := range r.Resolves {
		if !rr.Resolved {
			fmt.Fprintf(b, "\n%s: `%s` has no resolution in this generated graph; the engine proves it in %d steps:\n\n```\n%s\n```\n", rr.Size, rr.Requirement, rr.Steps, rr.Explanation)
		}
	}
	fmt.Fprintf(b, "\n### resolve of the walk's root pinned, next to its dependencyGraph walk (%d timed calls each after a warm-up)\n\n", r.Resolves[0].HTTP.N)
	b.WriteString("The walk returns every admissible version of every package (what could be installed); resolve reads the same candidate graph level by level, picks one version per package (what will be installed) and returns the lock with its hashes and the reason for every pick.\n\n")
	b.WriteString("| dataset | requirement | which | resolved | packages locked | search steps | candidate graph levels | statements (HTTP, store) | resolve HTTP p50 / p95 ms | resolve store p50 / p95 ms | walk nodes | walk statements (HTTP) | walk HTTP p50 / p95 ms |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, rr := range r.Resolves {
		var w *WalkResult
		for _, x := range r.Walks {
			if x.Size == rr.Size {
				w = x
			}
		}
		if w == nil {
			w = &WalkResult{}
		}
		fmt.Fprintf(b, "| %s | `%s` | %s | %v | %d | %d | %d | %.0f, %.0f | %s / %s | %s / %s | %d | %.0f | %s / %s |\n",
			rr.Size, rr.Requirement, rr.Note, rr.Resolved, rr.Packages, rr.Steps, rr.Levels, rr.HTTPStatements, rr.Statements,
			ms(rr.HTTP.P50), ms(rr.HTTP.P95), ms(rr.Store.P50), ms(rr.Store.P95), w.Nodes, w.HTTPStatements, ms(w.HTTP.P50), ms(w.HTTP.P95))
	}
}
