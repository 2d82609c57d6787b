package osv

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// testdataRecords are the records under testdata/osv, in Walk's order.
var testdataRecords = []string{
	"all/PYSEC-0000-3.json",
	"vulns/example-pkg/PYSEC-0000-1.yaml",
	"vulns/example-pkg/PYSEC-0000-2.yml",
	"vulns/other-pkg/GHSA-xxxx-yyyy-zzzz.json",
}

// walked returns the names Walk gives fn, with their contents.
func walked(t *testing.T, root string) ([]string, map[string][]byte) {
	t.Helper()
	var names []string
	content := map[string][]byte{}
	err := Walk(root, func(name string, raw []byte) error {
		names = append(names, name)
		content[name] = raw
		return nil
	})
	if err != nil {
		t.Fatalf("Walk(%s): %v", root, err)
	}
	return names, content
}

func TestWalkDir(t *testing.T) {
	names, content := walked(t, testdata)
	if !reflect.DeepEqual(names, testdataRecords) {
		t.Fatalf("Walk gave %q, want %q (README.md skipped)", names, testdataRecords)
	}
	for _, name := range names {
		if !bytes.Equal(content[name], readTestdata(t, name)) {
			t.Errorf("%s: content differs from the file", name)
		}
		rec, err := Parse(name, content[name])
		if err != nil {
			t.Errorf("Parse(%s): %v", name, err)
			continue
		}
		if id := strings.TrimSuffix(path.Base(name), path.Ext(name)); rec.ID != id {
			t.Errorf("%s: id %q", name, rec.ID)
		}
	}
}

func TestWalkDirSkips(t *testing.T) {
	dir := t.TempDir()
	record := readTestdata(t, "all/PYSEC-0000-3.json")
	for name, raw := range map[string][]byte{
		".github/workflows/ci.yml": []byte("on: push\n"),
		".hidden.json":             record,
		"notes.txt":                []byte("not a record"),
		"b/PYSEC-0000-3.JSON":      record,
		"a/z.yaml":                 record,
		"a/sub/y.yml":              record,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A link to a record counts; a link to a directory is not followed.
	if err := os.Symlink(filepath.Join(dir, "a", "z.yaml"), filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "a"), filepath.Join(dir, "linkdir.yaml")); err != nil {
		t.Fatal(err)
	}
	names, content := walked(t, dir)
	if want := []string{"a/sub/y.yml", "a/z.yaml", "b/PYSEC-0000-3.JSON", "link.json"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("Walk gave %q, want %q", names, want)
	}
	if !bytes.Equal(content["link.json"], record) {
		t.Errorf("link.json: content %q", content["link.json"])
	}
}

func TestWalkFile(t *testing.T) {
	// A file named explicitly is read whatever its name.
	p := filepath.Join(t.TempDir(), "record")
	if err := os.WriteFile(p, readTestdata(t, "all/PYSEC-0000-3.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	for root, want := range map[string]string{
		filepath.Join(testdata, "vulns", "example-pkg", "PYSEC-0000-2.yml"): "PYSEC-0000-2.yml",
		p: "record",
	} {
		names, content := walked(t, root)
		if len(names) != 1 || names[0] != want {
			t.Errorf("Walk(%s) gave %q, want [%q]", root, names, want)
			continue
		}
		if _, err := Parse(names[0], content[names[0]]); err != nil {
			t.Errorf("Parse(%s): %v", names[0], err)
		}
	}
}

// writeZip writes a zip of the given entries, in the given order; an entry
// ending in "/" is a directory.
func writeZip(t *testing.T, name string, entries []string, content func(string) []byte) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		w, err := zw.Create(e)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e, "/") {
			continue
		}
		if _, err := w.Write(content(e)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWalkZip(t *testing.T) {
	// osv.dev's all.zip holds <id>.json at its root; these entries keep the
	// testdata paths and come in reverse order, with a directory and a
	// file that is not a record.
	entries := []string{"vulns/", "README.md"}
	for i := len(testdataRecords) - 1; i >= 0; i-- {
		entries = append(entries, testdataRecords[i])
	}
	name := filepath.Join(t.TempDir(), "all.ZIP")
	writeZip(t, name, entries, func(e string) []byte { return readTestdata(t, e) })

	names, content := walked(t, name)
	if !reflect.DeepEqual(names, testdataRecords) {
		t.Fatalf("Walk gave %q, want %q", names, testdataRecords)
	}
	for _, n := range names {
		if !bytes.Equal(content[n], readTestdata(t, n)) {
			t.Errorf("%s: content differs from the file", n)
		}
		if _, err := Parse(n, content[n]); err != nil {
			t.Errorf("Parse(%s): %v", n, err)
		}
	}
}

func TestWalkReadsAtMostALimit(t *testing.T) {
	name := filepath.Join(t.TempDir(), "all.zip")
	big := append([]byte(`{"id": "PYSEC-0000-9", "modified": "2024-01-01T00:00:00Z", "details": "`), bytes.Repeat([]byte("x"), MaxRecordBytes)...)
	big = append(big, `"}`...)
	writeZip(t, name, []string{"PYSEC-0000-9.json"}, func(string) []byte { return big })
	calls := 0
	err := Walk(name, func(name string, raw []byte) error {
		calls++
		if len(raw) != MaxRecordBytes+1 {
			t.Errorf("%s: %d bytes, want the first %d", name, len(raw), MaxRecordBytes+1)
		}
		_, err := Parse(name, raw)
		var e *Error
		if !errors.As(err, &e) || e.Path != "" || e.Message != "record is more than 8388608 bytes" {
			t.Errorf("Parse(%s) = %v, want a refusal of its size", name, err)
		}
		return nil
	})
	if err != nil || calls != 1 {
		t.Fatalf("Walk = %v after %d calls", err, calls)
	}
}

func TestWalkStopsAtFnsError(t *testing.T) {
	stop := errors.New("stop")
	zipName := filepath.Join(t.TempDir(), "all.zip")
	writeZip(t, zipName, testdataRecords, func(e string) []byte { return readTestdata(t, e) })
	for _, root := range []string{testdata, zipName} {
		var names []string
		err := Walk(root, func(name string, _ []byte) error {
			names = append(names, name)
			if len(names) == 2 {
				return stop
			}
			return nil
		})
		if err != stop || !reflect.DeepEqual(names, testdataRecords[:2]) {
			t.Errorf("Walk(%s) = %v after %q, want fn's error after %q", root, err, names, testdataRecords[:2])
		}
	}
}

func TestWalkErrors(t *testing.T) {
	dir := t.TempDir()
	if err := Walk(filepath.Join(dir, "missing"), func(string, []byte) error { return nil }); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Walk(missing) = %v, want fs.ErrNotExist", err)
	}
	bad := filepath.Join(dir, "bad.zip")
	if err := os.WriteFile(bad, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Walk(bad, func(string, []byte) error { t.Error("fn called"); return nil })
	if !errors.Is(err, zip.ErrFormat) || !strings.Contains(err.Error(), bad) {
		t.Errorf("Walk(bad.zip) = %v, want zip.ErrFormat naming the file", err)
	}
}
