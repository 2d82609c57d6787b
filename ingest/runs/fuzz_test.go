package runs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// seeds are the project's adviser and provenance-checker documents.
func seeds(f *testing.F, kind string) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", kind, "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no %s testdata: %v", kind, err)
	}
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"metadata": {"document_id": "adviser-x"}, "result": {"report": null}}`))
	f.Add([]byte(`[]`))
}

// FuzzParseAdviser: ParseAdviser never panics; it refuses with a
// *ValidationError only, and what it accepts has numbered products, known
// source types and sorted, distinct unresolved names.
func FuzzParseAdviser(f *testing.F) {
	seeds(f, "adviser")
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, err := ParseAdviser("adviser-fuzz", raw)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T) is not a ValidationError", err, err)
			}
			return
		}
		if a.SourceType != "" && !slices.Contains(SourceTypes, a.SourceType) {
			t.Fatalf("source type %q", a.SourceType)
		}
		for i, p := range a.Products {
			if p.Number != i+1 {
				t.Fatalf("product %d numbered %d", i, p.Number)
			}
		}
		if !slices.IsSorted(a.Unresolved) || len(slices.Compact(slices.Clone(a.Unresolved))) != len(a.Unresolved) {
			t.Fatalf("unresolved %v", a.Unresolved)
		}
	})
}

// FuzzParseProvenance: ParseProvenance never panics and refuses with a
// *ValidationError only; findings are numbered in report order.
func FuzzParseProvenance(f *testing.F) {
	seeds(f, "provenance-checker")
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ParseProvenance("provenance-checker-fuzz", raw)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T) is not a ValidationError", err, err)
			}
			return
		}
		for i, f := range c.Findings {
			if f.Number != i || f.Type == "" {
				t.Fatalf("finding %d: %+v", i, f)
			}
		}
	})
}

// TestParseAdviserShapes pins what the parser makes of the project's
// documents beyond what the GraphQL tests compare: the input is stack 0's,
// a lock without an index keeps none, names and versions are normalised.
func TestParseAdviserShapes(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "adviser", "adviser-201015101500-a11ce0000000a001.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseAdviser("", raw)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "adviser-201015101500-a11ce0000000a001" || a.SourceType != "JUPYTER_NOTEBOOK" || a.RecommendationType != "STABLE" ||
		a.Runtime.OSName != "rhel" || a.Runtime.OSVersion != "8" || len(a.Products) != 2 || a.Products[0].PerformanceScore == nil {
		t.Fatalf("parsed %+v", a)
	}
	var names []string
	for _, p := range a.Input.Packages {
		names = append(names, p.Name)
		if p.Name == "markupsafe" && p.IndexURL != "" {
			t.Errorf("markupsafe names no index, got %q", p.IndexURL)
		}
		if p.Name == "click" && (p.Version != "7.1.2" || p.IndexURL != "https://pypi.org/simple") {
			t.Errorf("click: %+v", p)
		}
	}
	if want := []string{"click", "jinja2", "markupsafe", "zodiac", "pytest-orbit"}; !slices.Equal(names, want) {
		t.Errorf("locked %v, want %v", names, want)
	}
	if _, err := ParseAdviser("", []byte(`{"metadata": {}, "result": {}}`)); err == nil {
		t.Error("a document without an id was accepted")
	}
	many := `{"metadata": {}, "result": {"report": {"products": [{}` + strings.Repeat(`, {}`, MaxProducts) + `]}}}`
	var ve *ValidationError
	if _, err := ParseAdviser("adviser-many", []byte(many)); !errors.As(err, &ve) || ve.Path != "result.report.products" {
		t.Errorf("%d products: %v, want a ValidationError at result.report.products", MaxProducts+1, err)
	}
}
