package persistence_test

import (
	"fmt"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// BenchmarkImageAnalysisIngest writes analyses of the size of a real
// image: 500 RPMs with 15 requirements each, 300 Python packages, 20,000
// symbols and 5,000 Python files, the shared nodes known after the first.
func BenchmarkImageAnalysisIngest(b *testing.B) {
	store, _, _ := testenv.Store(b)
	rel := "1.el8"
	big := func(image string) *persistence.AnalysisResult {
		a := &persistence.AnalysisResult{Image: image, ImageName: image, ImageTag: "latest", EnvironmentType: "RUNTIME"}
		for i := range 500 {
			r := persistence.RPMEntry{RPMPackageVersion: persistence.RPMPackageVersion{Name: fmt.Sprintf("rpm-%d", i), Version: "1", Release: &rel, PackageIdentifier: "x"}}
			for j := range 15 {
				r.Requires = append(r.Requires, fmt.Sprintf("lib%d.so.%d()(64bit)", (i+j)%400, j))
			}
			a.RPMs = append(a.RPMs, r)
		}
		for i := range 300 {
			a.PythonPackages = append(a.PythonPackages, persistence.ImagePythonPackage{Name: fmt.Sprintf("pkg-%d", i), Version: "1.0", Location: "/usr/lib/python3.8/site-packages"})
		}
		for i := range 20000 {
			a.Symbols = append(a.Symbols, persistence.VersionedSymbol{Library: fmt.Sprintf("/usr/lib64/lib%d.so", i%300), Symbol: fmt.Sprintf("SYM_%d", i)})
		}
		for i := range 5000 {
			a.Files = append(a.Files, persistence.PythonFile{Path: fmt.Sprintf("/usr/lib/python3.8/f%d.py", i), SHA256: fmt.Sprintf("%064x", i)})
		}
		return a
	}
	a := big("bench")
	rows := len(a.RPMs)*16 + len(a.PythonPackages) + len(a.Symbols)*2 + len(a.Files) + 2
	b.ResetTimer()
	for i := range b.N {
		ref := persistence.DocumentRef{ID: fmt.Sprintf("package-extract-bench-%d", i), Kind: "package-extract", SHA256: "x"}
		if _, err := store.IngestImageAnalysis(b.Context(), ref, a, false, true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
