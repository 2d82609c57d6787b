package dataset_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest/solver"
	"github.com/seshat-graph/seshat/internal/dataset"
)

// collect generates opts and keeps every document.
func collect(t testing.TB, opts dataset.Options) ([]string, [][]byte, dataset.Stats) {
	t.Helper()
	var ids []string
	var docs [][]byte
	st, err := dataset.Generate(context.Background(), opts, func(id string, doc []byte) error {
		ids = append(ids, id)
		docs = append(docs, bytes.Clone(doc))
		return nil
	})
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	return ids, docs, st
}

// The test reads the documents with its own minimal decoding, not the
// generator's types and not the parser, so the expectations below are
// independent of both.

type tDoc struct {
	Metadata struct {
		DocumentID string `json:"document_id"`
	} `json:"metadata"`
	Result struct {
		Tree []struct {
			PackageName    string `json:"package_name"`
			PackageVersion string `json:"package_version"`
			IndexURL       string `json:"index_url"`
			Dependencies   []struct {
				NormalizedPackageName  string   `json:"normalized_package_name"`
				Specifier              *string  `json:"specifier"`
				Marker                 *string  `json:"marker"`
				Extra                  []string `json:"extra"`
				Extras                 []string `json:"extras"`
				MarkerEvaluationResult *bool    `json:"marker_evaluation_result"`
				ResolvedVersions       []struct {
					Index    string   `json:"index"`
					Versions []string `json:"versions"`
				} `json:"resolved_versions"`
			} `json:"dependencies"`
		} `json:"tree"`
		Errors []struct {
			PackageName    string `json:"package_name"`
			PackageVersion string `json:"package_version"`
			IndexURL       string `json:"index_url"`
		} `json:"errors"`
		Unparsed   []json.RawMessage `json:"unparsed"`
		Unresolved []json.RawMessage `json:"unresolved"`
	} `json:"result"`
}

// node is a version node: normalised name, version, index.
type node struct{ name, version, index string }

func (n node) String() string { return n.name + "==" + n.version + "@" + n.index }

type tEdge struct {
	extra       string // "" when not gated
	extras      []string
	markerFalse bool
	targets     []node
}

// tGraph is the graph the documents of one environment describe.
type tGraph struct {
	out      map[node][]tEdge
	solved   map[node]bool
	failed   map[node]bool
	mentions map[node]bool // tree entries, errors and resolved targets
}

var nonName = regexp.MustCompile(`[-_.]+`)

func norm(s string) string { return strings.ToLower(nonName.ReplaceAllString(s, "-")) }

// readGraph decodes the documents whose id starts with solver-<tag>-.
func readGraph(t testing.TB, ids []string, docs [][]byte, tag string) *tGraph {
	t.Helper()
	g := &tGraph{out: map[node][]tEdge{}, solved: map[node]bool{}, failed: map[node]bool{}, mentions: map[node]bool{}}
	prefix := "solver-" + tag + "-"
	for k, raw := range docs {
		if !strings.HasPrefix(ids[k], prefix) {
			continue
		}
		var d tDoc
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !strings.HasPrefix(d.Metadata.DocumentID, prefix) {
			continue
		}
		for _, e := range d.Result.Errors {
			n := node{norm(e.PackageName), e.PackageVersion, e.IndexURL}
			g.failed[n], g.mentions[n] = true, true
		}
		for _, en := range d.Result.Tree {
			from := node{norm(en.PackageName), en.PackageVersion, en.IndexURL}
			g.solved[from], g.mentions[from] = true, true
			for _, dep := range en.Dependencies {
				e := tEdge{extras: dep.Extras, markerFalse: dep.MarkerEvaluationResult != nil && !*dep.MarkerEvaluationResult}
				if len(dep.Extra) > 0 {
					e.extra = dep.Extra[0]
				}
				for _, grp := range dep.ResolvedVersions {
					for _, v := range grp.Versions {
						to := node{dep.NormalizedPackageName, v, grp.Index}
						e.targets = append(e.targets, to)
						g.mentions[to] = true
					}
				}
				g.out[from] = append(g.out[from], e)
			}
		}
	}
	return g
}

// reach walks from root as pip would install it: edges whose marker did not
// evaluate to false, gated edges only under an extra active on their source
// (the root's extras, or extras requested by a followed in-edge). It
// iterates until the active extras stop growing.
func (g *tGraph) reach(root node, extras []string) (map[node]bool, map[[2]node]bool) {
	active := map[node]map[string]bool{root: {}}
	for _, x := range extras {
		active[root][x] = true
	}
	for {
		nodes := map[node]bool{root: true}
		edges := map[[2]node]bool{}
		queue := []node{root}
		grew := false
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for _, e := range g.out[u] {
				if e.markerFalse || (e.extra != "" && !active[u][e.extra]) {
					continue
				}
				for _, v := range e.targets {
					edges[[2]node{u, v}] = true
					for _, x := range e.extras {
						if active[v] == nil {
							active[v] = map[string]bool{}
						}
						if !active[v][x] {
							active[v][x], grew = true, true
						}
					}
					if !nodes[v] {
						nodes[v] = true
						queue = append(queue, v)
					}
				}
			}
		}
		if !grew {
			return nodes, edges
		}
	}
}

var root = node{"tensorflow", "2.6.0", dataset.PyPI}

var idRe = regexp.MustCompile(`^solver-(rhel-8-py38|fedora-34-py39)-\d{12}-[0-9a-f]{16}$`)

func TestSmallDocumentsParse(t *testing.T) {
	ids, docs, st := collect(t, dataset.Options{Size: dataset.Small, Seed: 1})
	if st.Documents != len(docs) || st.Documents == 0 {
		t.Fatalf("stats say %d documents, emitted %d", st.Documents, len(docs))
	}
	seen := map[string]bool{}
	var errs, unparsed, unresolved, extras, gated, falseMarkers, second int
	for k, raw := range docs {
		if seen[ids[k]] {
			t.Fatalf("document id %s emitted twice", ids[k])
		}
		seen[ids[k]] = true
		if !idRe.MatchString(ids[k]) {
			t.Fatalf("document id %q is not solver-<os>-<ver>-py<XY>-<timestamp>-<hex>", ids[k])
		}
		doc, err := solver.Parse("", raw)
		if err != nil {
			t.Fatalf("%s: Parse: %v", ids[k], err)
		}
		if doc.ID != ids[k] {
			t.Fatalf("parsed id %q, emitted %q", doc.ID, ids[k])
		}
		errs += len(doc.Errors)
		unparsed += len(doc.Unparsed)
		unresolved += len(doc.Unresolved)
		for _, e := range doc.Entries {
			if e.Metadata == nil || e.Metadata.Summary == nil || e.Metadata.License == nil || e.Metadata.RequiresPython == nil || len(e.Artifacts) == 0 {
				t.Fatalf("%s: entry without metadata or artifacts: %+v", ids[k], e)
			}
			if e.IndexURL == dataset.SecondIndex {
				second++
			}
			for _, d := range e.Dependencies {
				if len(d.Extras) > 0 {
					extras++
				}
				if len(d.Extra) > 0 {
					gated++
				}
				if d.MarkerEvaluationResult != nil && !*d.MarkerEvaluationResult {
					falseMarkers++
				}
			}
		}
	}
	t.Logf("%d documents: %d errors, %d unparsed, %d unresolved; %d edges requesting extras, %d gated by an extra, %d false markers; %d entries on the second index",
		len(docs), errs, unparsed, unresolved, extras, gated, falseMarkers, second)
	for what, n := range map[string]int{"solver errors": errs, "unparsed": unparsed, "unresolved": unresolved,
		"requested extras": extras, "extra-gated edges": gated, "false markers": falseMarkers, "second-index entries": second} {
		if n == 0 {
			t.Errorf("the small dataset has no %s", what)
		}
	}
}

// TestSmallShape checks the Python-like shape: PEP 440 cases, heavy-tailed
// fan-in, cycles, a frontier, two environments, and that Stats count what
// the documents mention.
func TestSmallShape(t *testing.T) {
	ids, docs, st := collect(t, dataset.Options{Size: dataset.Small, Seed: 1})
	g := readGraph(t, ids, docs, "rhel-8-py38")
	g2 := readGraph(t, ids, docs, "fedora-34-py39")
	if len(g2.solved) == 0 || len(g2.solved) >= len(g.solved) {
		t.Errorf("second environment solved %d versions, first %d: want some, fewer", len(g2.solved), len(g.solved))
	}
	mentions := map[node]bool{}
	for _, gr := range []*tGraph{g, g2} {
		for n := range gr.mentions {
			mentions[n] = true
		}
	}
	if len(mentions) != st.Versions {
		t.Errorf("documents mention %d versions, Stats.Versions = %d", len(mentions), st.Versions)
	}
	// Frontier: versions only ever resolved to, never solved or failed.
	frontier := 0
	for n := range mentions {
		if !g.solved[n] && !g.failed[n] && !g2.solved[n] && !g2.failed[n] {
			frontier++
		}
	}
	// PEP 440: a pre-release and a 1.9 / 1.10 pair somewhere.
	byPkg := map[string]map[string]bool{}
	pre := 0
	for n := range mentions {
		if byPkg[n.name] == nil {
			byPkg[n.name] = map[string]bool{}
		}
		byPkg[n.name][n.version] = true
		if regexp.MustCompile(`\d(a|b|rc)\d+$`).MatchString(n.version) {
			pre++
		}
	}
	nineTen := false
	for _, vs := range byPkg {
		for v := range vs {
			if m := regexp.MustCompile(`^(\d+)\.9(\.0)?$`).FindStringSubmatch(v); m != nil && vs[m[1]+".10"+m[2]] {
				nineTen = true
			}
		}
	}
	// Fan-in per package in the first environment: distinct dependents.
	fanIn := map[string]map[string]bool{}
	for from, es := range g.out {
		for _, e := range es {
			if len(e.targets) > 0 {
				to := e.targets[0].name
				if fanIn[to] == nil {
					fanIn[to] = map[string]bool{}
				}
				fanIn[to][from.name] = true
			}
		}
	}
	max, sum := 0, 0
	for _, d := range fanIn {
		max = maxInt(max, len(d))
		sum += len(d)
	}
	mean := float64(sum) / float64(len(fanIn))
	// A cycle at package level: a pair of packages that require each other.
	req := map[[2]string]bool{}
	for from, es := range g.out {
		for _, e := range es {
			if len(e.targets) > 0 && !e.markerFalse && e.extra == "" {
				req[[2]string{from.name, e.targets[0].name}] = true
			}
		}
	}
	cycle := req[[2]string{"sphinx", "sphinxcontrib-applehelp"}] && req[[2]string{"sphinxcontrib-applehelp", "sphinx"}]
	t.Logf("%d versions (%d frontier, %d pre-releases), %d packages; fan-in max %d, mean %.1f", len(mentions), frontier, pre, len(byPkg), max, mean)
	if frontier == 0 || pre == 0 || !nineTen || !cycle {
		t.Errorf("frontier %d, pre-releases %d, 1.9/1.10 pair %v, sphinx cycle %v: want all", frontier, pre, nineTen, cycle)
	}
	if float64(max) < 8*mean {
		t.Errorf("fan-in max %d vs mean %.1f: not heavy-tailed", max, mean)
	}
}

func TestDeterministic(t *testing.T) {
	digest := func(opts dataset.Options) [32]byte {
		h := sha256.New()
		if _, err := dataset.Generate(context.Background(), opts, func(id string, doc []byte) error {
			fmt.Fprintf(h, "%s\n%s\n", id, doc)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return [32]byte(h.Sum(nil))
	}
	for _, size := range []dataset.Size{dataset.Small, dataset.Sample} {
		a, b := digest(dataset.Options{Size: size, Seed: 7}), digest(dataset.Options{Size: size, Seed: 7})
		if a != b {
			t.Errorf("%s: two runs with seed 7 differ", size)
		}
		if c := digest(dataset.Options{Size: size, Seed: 8}); c == a {
			t.Errorf("%s: seeds 7 and 8 give the same documents", size)
		}
	}
}

// TestTensorflowScale checks the root's reach in the first environment: at
// least 5,000 versions for tf, and the same for tf10x, whose documents are
// at least ten times as many versions. tf10x contains every tf document
// byte for byte, and none of its other documents in that environment is
// about a version the root reaches in tf; out-edges come only from a
// version's own documents, so the walk from the root meets exactly the same
// edges in both and the reach is the same.
func TestTensorflowScale(t *testing.T) {
	ids, docs, st := collect(t, dataset.Options{Size: dataset.TF, Seed: 1})
	g := readGraph(t, ids, docs, "rhel-8-py38")
	nodes, edges := g.reach(root, nil)
	t.Logf("tf: %d documents, %d versions; root reaches %d versions over %d edges", st.Documents, st.Versions, len(nodes), len(edges))
	if len(nodes) < 5000 {
		t.Fatalf("root reaches %d versions, want >= 5,000", len(nodes))
	}
	// A sample of the documents passes the parser.
	for k := 0; k < len(docs); k += 50 {
		if _, err := solver.Parse(ids[k], docs[k]); err != nil {
			t.Fatalf("%s: %v", ids[k], err)
		}
	}
	tfDocs := make(map[string][32]byte, len(docs))
	for k, raw := range docs {
		tfDocs[ids[k]] = sha256.Sum256(raw)
	}
	docs, g = nil, nil

	// tf10x, streamed; only the versions its other documents are about are read.
	type about struct {
		Result struct {
			Tree []struct {
				PackageName    string `json:"package_name"`
				PackageVersion string `json:"package_version"`
				IndexURL       string `json:"index_url"`
			} `json:"tree"`
			Errors []struct {
				PackageName    string `json:"package_name"`
				PackageVersion string `json:"package_version"`
				IndexURL       string `json:"index_url"`
			} `json:"errors"`
		} `json:"result"`
	}
	found, others, k := 0, 0, 0
	st10, err := dataset.Generate(context.Background(), dataset.Options{Size: dataset.TF10x, Seed: 1}, func(id string, raw []byte) error {
		if k++; k%500 == 0 {
			if _, err := solver.Parse(id, raw); err != nil {
				return err
			}
		}
		if want, ok := tfDocs[id]; ok {
			found++
			if sha256.Sum256(raw) != want {
				return fmt.Errorf("%s differs between tf and tf10x", id)
			}
			return nil
		}
		if !strings.HasPrefix(id, "solver-rhel-8-py38-") {
			return nil
		}
		others++
		var a about
		if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		for _, e := range a.Result.Tree {
			if n := (node{norm(e.PackageName), e.PackageVersion, e.IndexURL}); nodes[n] {
				return fmt.Errorf("%s, a tf10x document only, is about %s, which the root reaches", id, n)
			}
		}
		for _, e := range a.Result.Errors {
			if n := (node{norm(e.PackageName), e.PackageVersion, e.IndexURL}); nodes[n] {
				return fmt.Errorf("%s, a tf10x document only, is about %s, which the root reaches", id, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tf10x: %d documents (%d of tf, %d others in rhel 8), %d versions", st10.Documents, found, others, st10.Versions)
	if found != len(tfDocs) {
		t.Errorf("tf10x has %d of tf's %d documents", found, len(tfDocs))
	}
	if others == 0 || st10.Versions < 10*st.Versions {
		t.Errorf("tf10x has %d versions and %d new documents in rhel 8, tf %d versions: want >= 10x", st10.Versions, others, st.Versions)
	}
}

func TestGenerateStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := dataset.Generate(ctx, dataset.Options{Size: dataset.Sample}, func(string, []byte) error {
		if n++; n == 10 {
			cancel()
		}
		return nil
	})
	if err != context.Canceled || n != 10 {
		t.Errorf("after cancel: err %v after %d documents, want context.Canceled after 10", err, n)
	}
	stop := fmt.Errorf("full disk")
	if _, err := dataset.Generate(context.Background(), dataset.Options{Size: dataset.Small}, func(string, []byte) error { return stop }); err != stop {
		t.Errorf("emit error: got %v", err)
	}
	if _, err := dataset.Generate(context.Background(), dataset.Options{Size: "huge"}, nil); err == nil {
		t.Error("unknown size: no error")
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// BenchmarkGenerate measures generation alone, documents kept nowhere:
// go test -run '^$' -bench Generate -benchtime 1x ./dataset/
func BenchmarkGenerate(b *testing.B) {
	for _, size := range dataset.Sizes() {
		b.Run(string(size), func(b *testing.B) {
			var st dataset.Stats
			for b.Loop() {
				var err error
				if st, err = dataset.Generate(context.Background(), dataset.Options{Size: size, Seed: 1}, func(string, []byte) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Documents), "documents")
			b.ReportMetric(float64(st.Bytes)/(1<<20), "MiB")
		})
	}
}
