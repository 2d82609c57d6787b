package inspection_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/ingest/inspection"
)

const result = `{"exit_code": 0, "datetime": "2020-08-05T15:38:57.767735",
	"stdout": {"name": "PiMatmul", "component": "tensorflow", "@parameters": {"reps": 2}, "@result": {"elapsed": 1.5, "rate": 2}},
	"hwinfo": {"cpu_info": {"brand_raw": "In the result", "count": 2}, "cpu_features": {"flags": ["b", "a", "b"]}},
	"usage": {"ru_utime": 1.25, "ru_nswap": null}, "unknown": {"kept": "out"}}`

func folder(files map[string]string) []byte {
	m := map[string]json.RawMessage{}
	for k, v := range files {
		m[k] = json.RawMessage(v)
	}
	raw, _ := json.Marshal(m)
	return raw
}

// TestParse: the folder form (with or without .json names, hwinfo from its
// file or from the result), the single document, and refusals with their
// paths.
func TestParse(t *testing.T) {
	doc, err := inspection.Parse("inspection-x-1", folder(map[string]string{
		"results/1/result.json": result,
		"results/1/hwinfo":      `{"cpu_info": {"brand_raw": "In the file", "family": 6}}`,
		"results/0/result":      result,
		"build/log":             `"not json, kept as a string"`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Specification != nil || len(doc.Results) != 2 || doc.Results[0].Number != 0 || doc.Results[1].Number != 1 {
		t.Fatalf("parsed %+v", doc)
	}
	r0, r1 := doc.Results[0], doc.Results[1]
	if *r0.Hardware.CPUBrand != "In the result" || strings.Join(r0.Hardware.Flags, ",") != "a,b" || *r1.Hardware.CPUBrand != "In the file" ||
		r0.Started == nil || r0.Started.Year() != 2020 || r0.Usage["ru_utime"] != 1.25 || len(r0.Usage) != 1 ||
		r0.Indicator.Name != "PiMatmul" || *r0.Indicator.Rate != 2 || *r0.Indicator.Elapsed != 1.5 || string(r0.Indicator.Parameters) != `{"reps":2}` {
		t.Errorf("results %+v / %+v", r0, r1)
	}
	single, err := inspection.Parse("inspection-y-2", []byte(`{"created": "2019-11-12T13:14:15", "specification": {"base": "b",
		"python": {"requirements_locked": {"_meta": {"sources": [{"name": "pypi", "url": "https://pypi.org/simple"}]},
		"default": {"Six": {"version": "==1.15.0"}}}}}, "job_log": {"exit_code": 1, "stdout": "not an indicator"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(single.Results) != 1 || single.Results[0].ExitCode != 1 || single.Results[0].Indicator != nil ||
		single.Results[0].Started == nil || single.Specification.Base != "b" || len(single.Specification.Locked) != 1 ||
		single.Specification.Locked[0].Version != "1.15.0" || single.Specification.Locked[0].IndexURL != "https://pypi.org/simple" {
		t.Errorf("single document %+v", single)
	}

	for _, c := range []struct {
		name string
		raw  []byte
		path string
	}{
		{"no exit code", folder(map[string]string{"results/0/result": `{}`}), "results/0/result.exit_code"},
		{"fractional exit code", folder(map[string]string{"results/0/result": `{"exit_code": 0.5}`}), "results/0/result.exit_code"},
		{"bad result number", folder(map[string]string{"results/01/result": result}), "results/01/result"},
		{"hwinfo without result", folder(map[string]string{"results/0/hwinfo": `{}`}), "results/0/hwinfo"},
		{"hwinfo not an object", folder(map[string]string{"results/0/result": result, "results/0/hwinfo": `[1]`}), "results/0/hwinfo"},
		{"parameters not an object", folder(map[string]string{"results/0/result": `{"exit_code": 0, "stdout": {"name": "P", "@parameters": 3}}`}), "results/0/result.stdout.@parameters"},
		{"bad time", folder(map[string]string{"results/0/result": `{"exit_code": 0, "end_datetime": "soon"}`}), "results/0/result.end_datetime"},
		{"bad flags", folder(map[string]string{"results/0/result": `{"exit_code": 0, "hwinfo": {"cpu_features": {"flags": "avx"}}}`}), "results/0/result.hwinfo.cpu_features.flags"},
		{"unpinned lock", folder(map[string]string{"build/specification": `{"python": {"requirements_locked": {"default": {"a": {"version": "*"}}}}}`}), "build/specification.python.requirements_locked.default.a.version"},
		{"unknown source", folder(map[string]string{"build/specification": `{"python": {"requirements_locked": {"default": {"a": {"version": "==1", "index": "nope"}}}}}`}), "build/specification.python.requirements_locked.default.a.index"},
		{"empty folder", folder(map[string]string{"build/log": `"x"`}), ""},
		{"no job log", []byte(`{"specification": {}}`), "job_log"},
		{"not an object", []byte(`[1, 2]`), ""},
	} {
		_, err := inspection.Parse("inspection-z-3", c.raw)
		var ve *inspection.ValidationError
		if !errors.As(err, &ve) || ve.Path != c.path {
			t.Errorf("%s: %v, want a ValidationError at %q", c.name, err, c.path)
		}
	}
}

// FuzzParse: no input panics; every refusal is a ValidationError.
func FuzzParse(f *testing.F) {
	f.Add([]byte(result))
	f.Add(folder(map[string]string{"results/0/result": result, "build/specification": `{"python": {"requirements": {"packages": {"a": "*"}}}}`}))
	f.Add([]byte(`{"job_log": {"exit_code": 0}, "specification": {"build": {"requests": {"hardware": {}}}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, err := inspection.Parse("inspection-fuzz-1", raw)
		var ve *inspection.ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("%q: %v is not a ValidationError", raw, err)
		}
	})
}
