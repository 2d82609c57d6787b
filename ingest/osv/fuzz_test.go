package osv

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse: Parse never panics, refuses only with an *Error, and a record it
// accepts parses again from its Raw to the same Record.
func FuzzParse(f *testing.F) {
	for _, name := range testdataRecords {
		raw, err := os.ReadFile(filepath.Join(testdata, filepath.FromSlash(name)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(filepath.Base(name), raw)
	}
	f.Add("r.yaml", []byte("id: a\nmodified: 2024-01-01T00:00:00Z\nx: &a [*a]\n"))
	f.Add("r", []byte(`{"id": "a", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "x"}, "versions": [1e400]}]}`))
	f.Fuzz(func(t *testing.T, name string, raw []byte) {
		rec, err := Parse(name, raw)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse refused with %T %v, not an *Error", err, err)
			}
			return
		}
		again, err := Parse("record.json", rec.Raw)
		if err != nil {
			t.Fatalf("Parse(Raw %s): %v", rec.Raw, err)
		}
		if !reflect.DeepEqual(again, rec) {
			t.Fatalf("Parse(Raw) =\n%+v\nwant\n%+v", again, rec)
		}
	})
}
