package testenv

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// InspectionDocument is one Amun inspection read from a directory laid out
// as Thoth's storage (inspections/<id>/build/specification,
// inspections/<id>/results/<N>/{result,hwinfo}, or the single
// inspections/<id> document), with its objects by Thoth key and a plain
// reading of what the graph should hold.
type InspectionDocument struct {
	ID string
	// Objects are the files by the key they are kept under ("inspections/<id>/results/0/result"; a ".json" ending dropped).
	Objects map[string][]byte
	// Locked are the stack's pinned packages, "name==version" as written, sorted.
	Locked []string
	// Requirements are the Pipfile's packages, "name specifier", sorted.
	Requirements []string
	Results      []InspectionExpectation
}

// InspectionExpectation is what one result's JSON says.
type InspectionExpectation struct {
	Number     int
	ExitCode   float64
	Indicator  string // stdout.name, "" when none
	Component  string
	Parameters map[string]any
	Result     map[string]any
	Elapsed    *float64
	Rate       *float64
	CPUBrand   string
	CPUCores   float64
	Flags      int // distinct flags
	OSName     string
	Python     string
}

// InspectionDocuments reads every inspection below dir: its folders
// holding results/ or build/, and its plain files (single documents).
// Files take the key inspections/<path below the inspection's folder>;
// dir itself is the folder holding the inspections ("inspections" or
// Thoth's fixtures' "inspection").
func InspectionDocuments(t testing.TB, dir string) []InspectionDocument {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no inspections in %s: %v", dir, err)
	}
	var out []InspectionDocument
	for _, e := range entries {
		id := strings.TrimSuffix(e.Name(), ".json")
		d := InspectionDocument{ID: id, Objects: map[string][]byte{}}
		root := filepath.Join(dir, e.Name())
		if err := filepath.WalkDir(root, func(path string, de fs.DirEntry, err error) error {
			if err != nil || de.IsDir() {
				return err
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			d.Objects["inspections/"+strings.TrimSuffix(filepath.ToSlash(rel), ".json")] = raw
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		d.read(t)
		out = append(out, d)
	}
	return out
}

// Put stores the document's objects in docs.
func (d InspectionDocument) Put(t testing.TB, docs objectstore.Store) {
	t.Helper()
	for k, raw := range d.Objects {
		if err := docs.Put(t.Context(), k, raw); err != nil {
			t.Fatalf("put %s: %v", k, err)
		}
	}
}

func decode(t testing.TB, key string, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return m
}

// read fills in what the JSON says, with plain map lookups.
func (d *InspectionDocument) read(t testing.TB) {
	t.Helper()
	base := "inspections/" + d.ID
	var spec map[string]any
	results := map[int]map[string]any{}
	hwinfo := map[int]map[string]any{}
	if raw, ok := d.Objects[base]; ok { // the single document
		doc := decode(t, base, raw)
		spec, _ = doc["specification"].(map[string]any)
		results[0], _ = doc["job_log"].(map[string]any)
	}
	for k, raw := range d.Objects {
		rest := strings.TrimPrefix(k, base+"/")
		var n int
		var file string
		switch {
		case rest == "build/specification":
			spec = decode(t, k, raw)
		case strings.HasPrefix(rest, "results/"):
			if _, err := fmt.Sscanf(strings.ReplaceAll(strings.TrimPrefix(rest, "results/"), "/", " "), "%d %s", &n, &file); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			switch file {
			case "result":
				results[n] = decode(t, k, raw)
			case "hwinfo":
				hwinfo[n] = decode(t, k, raw)
			}
		}
	}
	if py, ok := spec["python"].(map[string]any); ok {
		lock, _ := py["requirements_locked"].(map[string]any)
		for _, sec := range []string{"default", "develop"} {
			pkgs, _ := lock[sec].(map[string]any)
			for name, v := range pkgs {
				version, _ := v.(map[string]any)["version"].(string)
				d.Locked = append(d.Locked, name+"=="+strings.TrimPrefix(version, "=="))
			}
		}
		reqs, _ := py["requirements"].(map[string]any)
		for _, sec := range []string{"packages", "dev-packages"} {
			pkgs, _ := reqs[sec].(map[string]any)
			for name, v := range pkgs {
				s, ok := v.(string)
				if !ok {
					s, _ = v.(map[string]any)["version"].(string)
				}
				d.Requirements = append(d.Requirements, name+" "+s)
			}
		}
	}
	sort.Strings(d.Locked)
	sort.Strings(d.Requirements)
	for n, r := range results {
		e := InspectionExpectation{Number: n}
		e.ExitCode, _ = r["exit_code"].(float64)
		if out, ok := r["stdout"].(map[string]any); ok {
			e.Indicator, _ = out["name"].(string)
			e.Component, _ = out["component"].(string)
			e.Parameters, _ = out["@parameters"].(map[string]any)
			e.Result, _ = out["@result"].(map[string]any)
			if v, ok := e.Result["elapsed"].(float64); ok {
				e.Elapsed = &v
			}
			if v, ok := e.Result["rate"].(float64); ok {
				e.Rate = &v
			}
		}
		hw := hwinfo[n]
		if hw == nil {
			hw, _ = r["hwinfo"].(map[string]any)
		}
		ci, _ := hw["cpu_info"].(map[string]any)
		e.CPUBrand, _ = ci["brand_raw"].(string)
		e.CPUCores, _ = ci["count"].(float64)
		cf, _ := hw["cpu_features"].(map[string]any)
		flags, _ := cf["flags"].([]any)
		set := map[any]bool{}
		for _, f := range flags {
			set[f] = true
		}
		e.Flags = len(set)
		env, _ := r["runtime_environment"].(map[string]any)
		os, _ := env["operating_system"].(map[string]any)
		e.OSName, _ = os["name"].(string)
		e.Python, _ = env["python_version"].(string)
		d.Results = append(d.Results, e)
	}
	sort.Slice(d.Results, func(i, j int) bool { return d.Results[i].Number < d.Results[j].Number })
}
