package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest/osv"
	"github.com/seshat-graph/seshat/ingest/solver"
)

func TestGen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "small")
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"gen", "--size", "small", "--seed", "3", "--out", dir}, lookupMap(nil), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"size       small (seed 3)", "documents  ", "versions   ", "edges      ", "osv        ", "bytes      ", "time       ", "root       tensorflow==2.6.0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("%d files in %s", len(files), dir)
	}
	for _, f := range files {
		if f.IsDir() {
			if f.Name() != "vulnerabilities" {
				t.Errorf("directory %s in %s", f.Name(), dir)
			}
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var meta struct {
			Metadata struct {
				DocumentID string `json:"document_id"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(raw, &meta); err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
		if f.Name() != meta.Metadata.DocumentID+".json" {
			t.Fatalf("file %s holds document %s", f.Name(), meta.Metadata.DocumentID)
		}
		if _, err := solver.Parse("", raw); err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
	}
	// The sample advisories: OSV records named by their ids.
	vulns, err := os.ReadDir(filepath.Join(dir, "vulnerabilities"))
	if err != nil {
		t.Fatal(err)
	}
	if len(vulns) < 3 {
		t.Fatalf("%d advisories", len(vulns))
	}
	for _, f := range vulns {
		raw, err := os.ReadFile(filepath.Join(dir, "vulnerabilities", f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := osv.Parse(f.Name(), raw)
		if err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
		if f.Name() != "vulnerability-"+rec.ID+".json" || !strings.HasPrefix(rec.ID, "PYSEC-SAMPLE-") {
			t.Errorf("file %s holds record %s", f.Name(), rec.ID)
		}
	}
}

func TestGenUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"gen", "--help"}, 0, "Usage: seshat gen --size small|sample|tf|tf10x"},
		{[]string{"gen", "--out", "x"}, 2, "--size is required"},
		{[]string{"gen", "--size", "small"}, 2, "--out is required"},
		{[]string{"gen", "--size", "huge", "--out", "x"}, 2, `unknown size "huge"`},
		{[]string{"gen", "--size", "small", "--out", "x", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"gen", "--seed", "-1"}, 2, "invalid value"},
	} {
		var out bytes.Buffer
		if code := Run(context.Background(), tt.args, lookupMap(nil), &out, &out); code != tt.code || !strings.Contains(out.String(), tt.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", tt.args, code, tt.code, tt.want, out.String())
		}
	}
}
