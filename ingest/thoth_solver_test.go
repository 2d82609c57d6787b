//go:build thoth

package ingest_test

import (
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// thothCounts are the facts of one solver document, counted twice: from the
// graph and from the JSON.
type thothCounts struct {
	entries, errored, edges, errors, unresolved, unparsed int
}

func thothName(v any) string { return norm(str(v)) }

func thothStr(v any) string { return strings.TrimSpace(str(v)) }

// thothJSONCounts reads a solver document with plain maps: distinct tree
// versions (name, version, index), errored versions outside the tree,
// distinct requirements (from, to, range, marker, extra) with one per extra
// of the solver's extra list, distinct errors, unresolved and unparsed.
func thothJSONCounts(doc map[string]any) thothCounts {
	result, _ := doc["result"].(map[string]any)
	list := func(k string) []any { l, _ := result[k].([]any); return l }
	version := func(m map[string]any, keys ...string) string {
		for _, k := range keys {
			if v := thothStr(m[k]); v != "" {
				return normVersion(v) // stored in its normal form
			}
		}
		return ""
	}
	tree, edges := map[string]bool{}, map[string]bool{}
	for _, e := range list("tree") {
		entry := e.(map[string]any)
		from := thothName(entry["package_name"]) + "==" + version(entry, "package_version") + "@" + normIndex(thothStr(entry["index_url"]))
		tree[from] = true
		deps, _ := entry["dependencies"].([]any)
		for _, d := range deps {
			dep := d.(map[string]any)
			vrange := thothStr(dep["specifier"])
			if _, ok := dep["specifier"]; !ok {
				vrange = thothStr(dep["required_version"])
			}
			if vrange == "" {
				vrange = "*"
			}
			marker := "<nil>"
			if m, ok := dep["marker"].(string); ok {
				marker = m
			}
			extras := []string{"<nil>"}
			if xs, ok := dep["extra"].([]any); ok && len(xs) > 0 {
				extras = extras[:0]
				for _, x := range xs {
					extras = append(extras, thothName(x))
				}
			}
			for _, x := range extras {
				edges[strings.Join([]string{from, thothName(dep["package_name"]), vrange, marker, x}, " | ")] = true
			}
		}
	}
	errs, errored := map[string]bool{}, map[string]bool{}
	for _, e := range list("errors") {
		f := e.(map[string]any)
		idx := thothStr(f["index_url"])
		if idx == "" {
			idx = thothStr(f["index"]) // thoth-solver 1.1.0
		}
		k := thothName(f["package_name"]) + "==" + version(f, "package_version", "version") + "@" + normIndex(idx)
		errs[k] = true
		if version(f, "package_version", "version") != "" && !tree[k] {
			errored[k] = true
		}
	}
	unresolved, unparsed := map[string]bool{}, map[string]bool{}
	for _, u := range list("unresolved") {
		m := u.(map[string]any)
		unresolved[thothName(m["package_name"])+" "+thothStr(m["version_spec"])+" "+normIndex(thothStr(m["index_url"]))] = true
	}
	for _, u := range list("unparsed") {
		m := u.(map[string]any)
		unparsed[thothStr(m["requirement"])] = true
	}
	return thothCounts{entries: len(tree), errored: len(errored), edges: len(edges), errors: len(errs),
		unresolved: len(unresolved), unparsed: len(unparsed)}
}

// thothGraphCounts counts what the graph holds from document id.
func thothGraphCounts(t *testing.T, e *bundle, id string) (thothCounts, string) {
	t.Helper()
	var c thothCounts
	var env string
	if err := e.db.QueryRow(t.Context(), `
		SELECT (SELECT count(*) FROM solved WHERE document_id = $1 AND NOT error),
		       (SELECT count(*) FROM solved WHERE document_id = $1 AND error),
		       (SELECT count(*) FROM depends_on WHERE document_id = $1),
		       (SELECT count(*) FROM solver_problem WHERE document_id = $1 AND kind = 'error'),
		       (SELECT count(*) FROM solver_problem WHERE document_id = $1 AND kind = 'unresolved'),
		       (SELECT count(*) FROM solver_problem WHERE document_id = $1 AND kind = 'unparsed'),
		       coalesce((SELECT string_agg(DISTINCT en.os_name || ' ' || en.os_version || ' py' || en.python_version, ', ')
		                 FROM solved s JOIN environment en ON en.id = s.environment_id WHERE s.document_id = $1), '')`, id,
	).Scan(&c.entries, &c.errored, &c.edges, &c.errors, &c.unresolved, &c.unparsed, &env); err != nil {
		t.Fatal(err)
	}
	c.errors += c.errored // an error for a version outside the tree is that version solved with the error flag
	return c, env
}

// TestThothSolverDocuments puts every real solver document into a fresh
// bucket as a user would (under the key its id names), syncs, and requires each to be
// INGESTED; then, each in a database of its own (so that documents solving
// the same versions in one environment do not take rows from each other),
// compares what the graph holds with what its JSON holds.
func TestThothSolverDocuments(t *testing.T) {
	t.Parallel()
	docs := documentsIn(t, testenv.ThothFixtures(t, "solver"))

	e := newBundle(t)
	e.putAll(t, docs)
	rep, err := e.svc.Sync(t.Context(), ingest.SyncOptions{Prefix: "solver"})
	if err != nil {
		t.Fatalf("sync: %v (report %+v)", err, rep)
	}
	for _, f := range rep.Failures {
		t.Errorf("sync failed %s", f)
	}
	for _, d := range docs {
		row := e.documentRow(t, d.id)
		if row.Status != persistence.StatusIngested || row.Kind != "solver" || *row.ObjectKey != d.key {
			t.Errorf("%s (%s): %s %s at %v (%v), want an INGESTED solver document at %s", d.id, d.file, row.Status, row.Kind, *row.ObjectKey, row.Error, d.key)
		}
		// The content identity of the file is that of the copy ingestDocument stores.
		if re, ok := reencoded(t, d.raw); !ok || ingest.Digest(re) != ingest.Digest(d.raw) || *row.SHA256 != ingest.Digest(d.raw) {
			t.Errorf("%s: the file and its re-encoded copy have different identities", d.id)
		}
	}

	for _, d := range docs {
		t.Run(d.id, func(t *testing.T) {
			own := newBundle(t)
			if err := own.docs.Put(t.Context(), d.key, d.raw); err != nil {
				t.Fatal(err)
			}
			if rep, err := own.svc.Sync(t.Context(), ingest.SyncOptions{Prefix: d.key}); err != nil || rep.Synced != 1 {
				t.Fatalf("sync: %+v, %v", rep, err)
			}
			got, env := thothGraphCounts(t, own, d.id)
			want := thothJSONCounts(d.doc)
			t.Logf("conformance: %s: entries %d/%d, edges %d/%d, errors %d/%d (versions %d/%d), unresolved %d/%d, unparsed %d/%d; %s",
				d.id, got.entries, want.entries, got.edges, want.edges, got.errors, want.errors, got.errored, want.errored,
				got.unresolved, want.unresolved, got.unparsed, want.unparsed, env)
			if got != want {
				t.Errorf("graph %+v, JSON %+v", got, want)
			}
		})
	}
}
