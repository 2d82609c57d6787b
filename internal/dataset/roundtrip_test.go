package dataset_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/ingest/solver"
	"github.com/seshat-graph/seshat/internal/dataset"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// TestRoundTrip ingests the small dataset into a database (through the
// ingestion service's mapping, ingest.SolverResult) and checks that
// dependencyGraph walks, through persistence, the graph the test reads from
// the documents itself.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	store, _, _ := testenv.Store(t)
	ids, docs, _ := collect(t, dataset.Options{Size: dataset.Small, Seed: 1})
	for k, raw := range docs {
		doc, err := solver.Parse(ids[k], raw)
		if err != nil {
			t.Fatalf("%s: %v", ids[k], err)
		}
		sum := sha256.Sum256(raw)
		ref := persistence.DocumentRef{ID: ids[k], Kind: "solver", ObjectKey: "solver/" + ids[k], SHA256: hex.EncodeToString(sum[:])}
		out, err := store.IngestSolverResult(ctx, ref, ingest.SolverResult(doc), false)
		if err != nil {
			t.Fatalf("%s: ingest: %v", ids[k], err)
		}
		if out.Status != persistence.StatusIngested {
			t.Fatalf("%s: status %s", ids[k], out.Status)
		}
	}
	graphs := map[int]*tGraph{0: readGraph(t, ids, docs, "rhel-8-py38"), 1: readGraph(t, ids, docs, "fedora-34-py39")}
	flask := node{"flask", "2.0.1", dataset.PyPI}
	// A solved urllib3 whose extras add requirements: the walk with extras
	// must reach more than the one without.
	var urllib3 node
	for n := range graphs[0].solved {
		for _, e := range graphs[0].out[n] {
			if n.name == "urllib3" && e.extra == "secure" && n.String() > urllib3.String() {
				urllib3 = n
			}
		}
	}
	plain, _ := graphs[0].reach(urllib3, nil)
	withExtras, _ := graphs[0].reach(urllib3, []string{"secure", "socks"})
	if urllib3.name == "" || len(withExtras) <= len(plain) {
		t.Fatalf("no urllib3 whose extras matter (%v: %d versions, %d with extras)", urllib3, len(plain), len(withExtras))
	}
	for _, c := range []struct {
		name   string
		env    int
		root   node
		extras []string
	}{
		{"tensorflow/rhel", 0, root, nil},
		{"tensorflow/fedora", 1, root, nil},
		{"urllib3/rhel", 0, urllib3, nil},
		{"urllib3/rhel/extras", 0, urllib3, []string{"secure", "socks"}},
		{"flask/rhel/extras", 0, flask, []string{"dotenv", "async"}},
		{"flask/fedora", 1, flask, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := graphs[c.env]
			wantNodes, wantEdges := g.reach(c.root, c.extras)
			index := c.root.index
			got, err := store.DependencyGraph(ctx, persistence.GraphQuery{
				Root:        persistence.VersionRef{Name: c.root.name, Version: c.root.version, IndexURL: &index},
				Environment: dataset.Environments[c.env],
				MaxDepth:    100, Extras: c.extras, MarkerTrueOnly: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			if got.Truncated {
				t.Fatal("walk truncated at depth 100")
			}
			byID := map[int64]node{}
			for _, n := range got.Nodes {
				v := n.Version
				ix := ""
				if v.IndexURL != nil {
					ix = *v.IndexURL
				}
				nd := node{v.Name, v.Version, ix}
				byID[v.ID] = nd
				if !wantNodes[nd] {
					t.Errorf("walk reached %s, the documents do not", nd)
				}
				if n.Solved != g.solved[nd] {
					t.Errorf("%s: solved %v, documents say %v", nd, n.Solved, g.solved[nd])
				}
			}
			if len(byID) != len(wantNodes) {
				t.Errorf("walk reached %d versions, the documents %d", len(byID), len(wantNodes))
			}
			gotEdges := map[[2]node]bool{}
			for _, e := range got.Edges {
				gotEdges[[2]node{byID[e.From], byID[e.To]}] = true
			}
			for e := range wantEdges {
				if !gotEdges[e] {
					t.Errorf("edge %s -> %s missing from the walk", e[0], e[1])
				}
			}
			if len(gotEdges) != len(wantEdges) {
				t.Errorf("walk has %d edges, the documents %d", len(gotEdges), len(wantEdges))
			}
			t.Logf("%d versions, %d edges, depth %d", len(byID), len(gotEdges), got.DepthReached)
		})
	}
}
