package persistence_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// analysis is an image analysis of image with the shared RPMs and symbols
// of every image (in an order of its own) and n of its own.
func analysis(image string, seed uint64, n int) *persistence.AnalysisResult {
	a := &persistence.AnalysisResult{Image: image, ImageName: image, ImageTag: "latest", EnvironmentType: "RUNTIME", Digest: "sha256:" + image}
	rel := "1.el8"
	for i := range 200 {
		a.RPMs = append(a.RPMs, persistence.RPMEntry{
			RPMPackageVersion: persistence.RPMPackageVersion{Name: fmt.Sprintf("rpm-%03d", i), Version: "1.0", Release: &rel, PackageIdentifier: fmt.Sprintf("rpm-%03d-1.0-1.el8", i)},
			Requires:          []string{"libc.so.6()(64bit)", fmt.Sprintf("lib%03d.so", i%17)},
		})
		a.Symbols = append(a.Symbols, persistence.VersionedSymbol{Library: fmt.Sprintf("/usr/lib64/lib%02d.so", i%10), Symbol: fmt.Sprintf("SYM_%03d", i)})
		a.Debs = append(a.Debs, persistence.DebEntry{DebPackageVersion: persistence.DebPackageVersion{Name: fmt.Sprintf("deb-%03d", i), Version: "2"},
			Relations: []persistence.DebRelation{{Kind: "depends", Name: "libc6", Range: ">= 2.31"}}})
	}
	for i := range n {
		a.Symbols = append(a.Symbols, persistence.VersionedSymbol{Library: "/usr/lib64/" + image + ".so", Symbol: fmt.Sprintf("OWN_%d", i)})
		a.Files = append(a.Files, persistence.PythonFile{Path: fmt.Sprintf("/app/f%d.py", i), SHA256: fmt.Sprintf("%064x", i)})
	}
	r := rand.New(rand.NewPCG(seed, seed))
	r.Shuffle(len(a.RPMs), func(i, j int) { a.RPMs[i], a.RPMs[j] = a.RPMs[j], a.RPMs[i] })
	r.Shuffle(len(a.Symbols), func(i, j int) { a.Symbols[i], a.Symbols[j] = a.Symbols[j], a.Symbols[i] })
	r.Shuffle(len(a.Debs), func(i, j int) { a.Debs[i], a.Debs[j] = a.Debs[j], a.Debs[i] })
	return a
}

// TestImageAnalysesConcurrent: analyses sharing RPMs, requirements, Debian
// packages and symbols, given in different orders, ingested at once, all
// commit (upserts in key order: no deadlock is lost), and the shared nodes
// exist once.
func TestImageAnalysesConcurrent(t *testing.T) {
	t.Parallel()
	store, _, url := testenv.Store(t)
	const docs = 8
	var wg sync.WaitGroup
	errs := make([]error, docs)
	for i := range docs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			image := fmt.Sprintf("image-%d", i)
			_, errs[i] = store.IngestImageAnalysis(t.Context(), persistence.DocumentRef{ID: "package-extract-" + image, Kind: "package-extract", SHA256: image},
				analysis(image, uint64(i), 50), false, true)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("document %d: %v", i, err)
		}
	}
	conn := testenv.Conn(t, url)
	for table, want := range map[string]int{
		"software_environment": docs, "image_analysis": docs, "rpm_package_version": 200, "rpm_requirement": 18,
		"rpm_requires": 400, "image_rpm": 200 * docs, "deb_package_version": 200, "deb_requirement": 200, "image_deb": 200 * docs,
		"versioned_symbol": 200 + 50*docs, "image_symbol": 250 * docs, "image_python_file": 50 * docs,
	} {
		var n int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil || n != want {
			t.Errorf("%s: %d rows, want %d (%v)", table, n, want, err)
		}
	}
}

// TestImageAnalysisForce: a forced re-ingestion replaces the document's
// facts (fewer now), keeps the shared nodes, and counts what it wrote.
func TestImageAnalysisForce(t *testing.T) {
	t.Parallel()
	store, _, url := testenv.Store(t)
	ref := persistence.DocumentRef{ID: "package-extract-force", Kind: "package-extract", SHA256: "a"}
	a := analysis("force", 1, 30)
	if out, err := store.IngestImageAnalysis(t.Context(), ref, a, false, true); err != nil || out.Counts["symbols"] != 230 || out.Counts["python_files"] != 30 {
		t.Fatalf("first: %+v, %v", out, err)
	}
	if out, err := store.IngestImageAnalysis(t.Context(), ref, a, false, true); err != nil || out.Status != persistence.StatusSkipped {
		t.Fatalf("same content again: %+v, %v", out, err)
	}
	b := analysis("force", 2, 5)
	b.RPMs, b.Debs = b.RPMs[:10], nil
	out, err := store.IngestImageAnalysis(t.Context(), ref, b, true, true)
	if err != nil || out.Status != persistence.StatusIngested || out.Counts["rpms"] != 10 || out.Counts["debs"] != 0 || out.Counts["symbols"] != 205 {
		t.Fatalf("forced: %+v, %v", out, err)
	}
	conn := testenv.Conn(t, url)
	for table, want := range map[string]int{
		"image_analysis": 1, "image_rpm": 10, "image_deb": 0, "image_symbol": 205, "image_python_file": 5,
		"rpm_package_version": 200, "versioned_symbol": 230, "software_environment": 1,
	} {
		var n int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil || n != want {
			t.Errorf("%s: %d rows, want %d (%v)", table, n, want, err)
		}
	}
}

// TestImageAnalysisDelete: deleting an analysis's document removes every
// fact it wrote and keeps the shared nodes another analysis has too.
func TestImageAnalysisDelete(t *testing.T) {
	t.Parallel()
	store, _, url := testenv.Store(t)
	for _, image := range []string{"a", "b"} {
		ref := persistence.DocumentRef{ID: "package-extract-" + image, Kind: "package-extract", SHA256: image}
		if _, err := store.IngestImageAnalysis(t.Context(), ref, analysis(image, 3, 10), false, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.DeleteDocuments(t.Context(), []string{"package-extract-a"}); err != nil {
		t.Fatal(err)
	}
	conn := testenv.Conn(t, url)
	for table, want := range map[string]int{
		"image_analysis": 1, "image_rpm": 200, "image_deb": 200, "image_symbol": 210, "image_python_file": 10,
		"rpm_package_version": 200, "versioned_symbol": 220, "software_environment": 2,
	} {
		var n int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil || n != want {
			t.Errorf("%s: %d rows, want %d (%v)", table, n, want, err)
		}
	}
}
