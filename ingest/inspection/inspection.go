// Package inspection parses and validates Amun inspection documents: an
// inspection kept as a folder (inspections/<id>/build/specification,
// inspections/<id>/results/<N>/result and .../hwinfo), handed over as a
// Folder of its files, and the 2019-2020 single document (specification,
// job_log, created, status). Unknown keys are ignored; a malformed part is
// a *ValidationError naming its JSON path, the file first
// ("results/3/result.stdout.@result.rate").
package inspection

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ValidationError is a malformed part of an inspection document.
type ValidationError struct {
	Path    string
	Message string
}

// Error returns "path: message", or the message alone for the whole document.
func (e *ValidationError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

func invalid(path, format string, args ...any) error {
	return &ValidationError{Path: path, Message: fmt.Sprintf(format, args...)}
}

// Document is one parsed inspection.
type Document struct {
	// ID is the inspection's document id ("inspection-tf-matmul-1a2b3c4d").
	ID string
	// Specification is nil when the inspection has none stored (only its
	// results were kept).
	Specification *Specification
	// Results are the runs, by number.
	Results []Result
}

// Specification is what Amun was asked to build and run.
type Specification struct {
	// Raw is the whole specification as stored.
	Raw        json.RawMessage
	Identifier string
	Base       string // the base image
	Script     string // the script's URL
	Created    *time.Time
	// BuildRequests and RunRequests are build.requests and run.requests
	// (cpu, memory, hardware) as given; HardwareRequested is the hardware
	// either asks for (run's when both do), nil when none.
	BuildRequests, RunRequests, HardwareRequested json.RawMessage
	Requirements                                  []Requirement
	Locked                                        []Locked
}

// Requirement is one package of the stack's Pipfile.
type Requirement struct {
	Name      string // as written
	Specifier string // "*", "==2.2.0"
	Index     string // the source's name, "" when none
	Develop   bool
}

// Locked is one package of the stack's Pipfile.lock.
type Locked struct {
	Name     string // as written
	Version  string // without "==", as written
	IndexURL string // the URL of its source ("" when the lock names none)
	Hashes   []string
	Develop  bool
}

// Result is one run of the inspection's script.
type Result struct {
	Number       int
	ExitCode     int
	Started      *time.Time // start_datetime, else datetime
	Ended        *time.Time // end_datetime
	Hostname     string
	ScriptSHA256 string
	// Usage is the rusage counters (ru_utime, ru_maxrss, ...) by name.
	Usage map[string]float64
	// Runtime is runtime_environment as stored, nil when absent.
	Runtime     json.RawMessage
	Environment Environment
	Hardware    *Hardware
	Indicator   *Indicator
}

// Environment is the operating system and Python of a run's runtime
// environment, as written ("" when absent).
type Environment struct {
	OSName, OSVersion, PythonVersion, CUDAVersion string
}

// Hardware is what hwinfo says of the machine that ran a result.
type Hardware struct {
	CPUBrand, CPUVendor                    *string
	CPUFamily, CPUModel, CPUCores          *int64
	Flags                                  []string // sorted, without duplicates
	L1Data, L1Instruction, L2, L3, RAMSize *int64
	GPU                                    json.RawMessage
}

// Indicator is the performance indicator a result's stdout reports.
type Indicator struct {
	Name, Component    string
	Parameters, Result json.RawMessage // objects
	// Elapsed and Rate are @result's elapsed and rate, when numbers.
	Elapsed, Rate *float64
}

// Folder is an inspection kept as a folder: its files by path below
// inspections/<id>/ ("build/specification", "results/0/result"), each
// file's content. A ".json" ending of a name is ignored.
type Folder map[string]json.RawMessage

// ParseFolder parses the files of an inspection folder. Files other than
// build/specification and results/<N>/{result,hwinfo} (build logs,
// Dockerfiles) are ignored; a result's hardware comes from its hwinfo file,
// else from the result's own hwinfo.
func ParseFolder(id string, files Folder) (*Document, error) {
	doc := &Document{ID: id}
	results := map[int]map[string]string{} // number -> file -> path
	var specPath string
	for path := range files {
		name := strings.TrimSuffix(path, ".json")
		switch parts := strings.Split(name, "/"); {
		case name == "build/specification":
			specPath = path
		case len(parts) == 3 && parts[0] == "results" && (parts[2] == "result" || parts[2] == "hwinfo"):
			n, err := strconv.Atoi(parts[1])
			if err != nil || n < 0 || strconv.Itoa(n) != parts[1] {
				return nil, invalid(path, "result number %q is not a number", parts[1])
			}
			if results[n] == nil {
				results[n] = map[string]string{}
			}
			results[n][parts[2]] = path
		}
	}
	if specPath != "" {
		spec, err := parseSpecification(specPath, files[specPath])
		if err != nil {
			return nil, err
		}
		doc.Specification = spec
	}
	numbers := make([]int, 0, len(results))
	for n := range results {
		numbers = append(numbers, n)
	}
	sort.Ints(numbers)
	for _, n := range numbers {
		rp, ok := results[n]["result"]
		if !ok {
			return nil, invalid(results[n]["hwinfo"], "results/%d has hwinfo but no result", n)
		}
		var hw json.RawMessage
		hwPath := results[n]["hwinfo"]
		if hwPath != "" {
			hw = files[hwPath]
		}
		r, err := parseResult(rp, n, files[rp], hwPath, hw)
		if err != nil {
			return nil, err
		}
		doc.Results = append(doc.Results, r)
	}
	if doc.Specification == nil && len(doc.Results) == 0 {
		return nil, invalid("", "inspection %s has neither build/specification nor results/<N>/result", id)
	}
	return doc, nil
}

// ParseSingle parses the 2019-2020 single inspection document: its
// specification, and job_log as result 0.
func ParseSingle(id string, raw []byte) (*Document, error) {
	top, err := object("", raw)
	if err != nil {
		return nil, err
	}
	doc := &Document{ID: id}
	if s, ok := present(top, "specification"); ok {
		spec, err := parseSpecification("specification", s)
		if err != nil {
			return nil, err
		}
		doc.Specification = spec
	}
	jl, ok := present(top, "job_log")
	if !ok {
		return nil, invalid("job_log", "required object is missing")
	}
	r, err := parseResult("job_log", 0, jl, "", nil)
	if err != nil {
		return nil, err
	}
	if r.Started == nil {
		// The job's time is the document's.
		if r.Started, err = optTime(top, "", "created"); err != nil {
			return nil, err
		}
	}
	doc.Results = []Result{r}
	return doc, nil
}

// IsFolder says whether raw is a Folder's JSON (an object whose members
// are the files of an inspection folder: some name has a '/', which no
// member of a single inspection document has) rather than a single
// inspection document.
func IsFolder(raw []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	for k := range m {
		if strings.Contains(k, "/") {
			return true
		}
	}
	return false
}

// Parse parses an inspection given as one JSON value: a Folder's JSON (see
// IsFolder) or a single document.
func Parse(id string, raw []byte) (*Document, error) {
	if IsFolder(raw) {
		var f Folder
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, invalid("", "not a JSON object: %v", err)
		}
		return ParseFolder(id, f)
	}
	return ParseSingle(id, raw)
}

func parseSpecification(path string, raw json.RawMessage) (*Specification, error) {
	m, err := object(path, raw)
	if err != nil {
		return nil, err
	}
	spec := &Specification{Raw: compact(raw)}
	for _, f := range []struct {
		key string
		to  *string
	}{{"identifier", &spec.Identifier}, {"base", &spec.Base}, {"script", &spec.Script}} {
		if *f.to, err = optString(m, path, f.key); err != nil {
			return nil, err
		}
	}
	if spec.Created, err = optTime(m, path, "@created"); err != nil {
		return nil, err
	}
	for _, side := range []struct {
		key string
		to  *json.RawMessage
	}{{"build", &spec.BuildRequests}, {"run", &spec.RunRequests}} {
		s, ok := present(m, side.key)
		if !ok {
			continue
		}
		sm, err := object(join(path, side.key), s)
		if err != nil {
			return nil, err
		}
		req, ok := present(sm, "requests")
		if !ok {
			continue
		}
		rm, err := object(join(path, side.key+".requests"), req)
		if err != nil {
			return nil, err
		}
		*side.to = compact(req)
		if hw, ok := present(rm, "hardware"); ok {
			if _, err := object(join(path, side.key+".requests.hardware"), hw); err != nil {
				return nil, err
			}
			spec.HardwareRequested = compact(hw)
		}
	}
	py, ok := present(m, "python")
	if !ok {
		return spec, nil
	}
	pm, err := object(join(path, "python"), py)
	if err != nil {
		return nil, err
	}
	if r, ok := present(pm, "requirements"); ok {
		if spec.Requirements, err = parsePipfile(join(path, "python.requirements"), r); err != nil {
			return nil, err
		}
	}
	if l, ok := present(pm, "requirements_locked"); ok {
		if spec.Locked, err = parseLock(join(path, "python.requirements_locked"), l); err != nil {
			return nil, err
		}
	}
	return spec, nil
}

// parsePipfile reads a Pipfile as JSON: packages and dev-packages, each a
// specifier string or a table with version and index.
func parsePipfile(path string, raw json.RawMessage) ([]Requirement, error) {
	m, err := object(path, raw)
	if err != nil {
		return nil, err
	}
	var out []Requirement
	for _, sec := range []struct {
		key     string
		develop bool
	}{{"packages", false}, {"dev-packages", true}} {
		s, ok := present(m, sec.key)
		if !ok {
			continue
		}
		pkgs, err := object(join(path, sec.key), s)
		if err != nil {
			return nil, err
		}
		for _, name := range sortedKeys(pkgs) {
			p := join(path, sec.key+"."+name)
			if strings.TrimSpace(name) == "" {
				return nil, invalid(p, "empty package name")
			}
			r := Requirement{Name: name, Specifier: "*", Develop: sec.develop}
			var spec string
			if json.Unmarshal(pkgs[name], &spec) == nil {
				r.Specifier = spec
			} else {
				t, err := object(p, pkgs[name])
				if err != nil {
					return nil, invalid(p, "want a specifier string or a table")
				}
				if v, err := optString(t, p, "version"); err != nil {
					return nil, err
				} else if v != "" {
					r.Specifier = v
				}
				if r.Index, err = optString(t, p, "index"); err != nil {
					return nil, err
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// parseLock reads a Pipfile.lock: its sources (_meta.sources) and the
// pinned packages of default and develop.
func parseLock(path string, raw json.RawMessage) ([]Locked, error) {
	m, err := object(path, raw)
	if err != nil {
		return nil, err
	}
	sources := map[string]string{}
	var first string
	if meta, ok := present(m, "_meta"); ok {
		mm, err := object(join(path, "_meta"), meta)
		if err != nil {
			return nil, err
		}
		if s, ok := present(mm, "sources"); ok {
			var list []json.RawMessage
			if err := json.Unmarshal(s, &list); err != nil {
				return nil, invalid(join(path, "_meta.sources"), "want an array of sources")
			}
			for i, src := range list {
				p := fmt.Sprintf("%s._meta.sources[%d]", path, i)
				sm, err := object(p, src)
				if err != nil {
					return nil, err
				}
				name, err := optString(sm, p, "name")
				if err != nil {
					return nil, err
				}
				url, err := optString(sm, p, "url")
				if err != nil {
					return nil, err
				}
				if url == "" {
					return nil, invalid(join(p, "url"), "required string is missing")
				}
				sources[name] = url
				if i == 0 {
					first = url
				}
			}
		}
	}
	var out []Locked
	for _, sec := range []struct {
		key     string
		develop bool
	}{{"default", false}, {"develop", true}} {
		s, ok := present(m, sec.key)
		if !ok {
			continue
		}
		pkgs, err := object(join(path, sec.key), s)
		if err != nil {
			return nil, err
		}
		for _, name := range sortedKeys(pkgs) {
			p := join(path, sec.key+"."+name)
			if strings.TrimSpace(name) == "" {
				return nil, invalid(p, "empty package name")
			}
			t, err := object(p, pkgs[name])
			if err != nil {
				return nil, err
			}
			v, err := optString(t, p, "version")
			if err != nil {
				return nil, err
			}
			version := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(v, "==="), "=="))
			if version == "" || strings.ContainsAny(version, "<>=!~*, ") {
				return nil, invalid(join(p, "version"), "%q is not a pinned version (==X)", v)
			}
			l := Locked{Name: name, Version: version, IndexURL: first, Develop: sec.develop}
			if idx, err := optString(t, p, "index"); err != nil {
				return nil, err
			} else if idx != "" {
				url, ok := sources[idx]
				if !ok {
					return nil, invalid(join(p, "index"), "names no source of _meta.sources: %q", idx)
				}
				l.IndexURL = url
			}
			if h, ok := present(t, "hashes"); ok {
				if err := json.Unmarshal(h, &l.Hashes); err != nil {
					return nil, invalid(join(p, "hashes"), "want an array of strings")
				}
				slices.Sort(l.Hashes)
				l.Hashes = slices.Compact(l.Hashes)
			}
			out = append(out, l)
		}
	}
	return out, nil
}

func parseResult(path string, n int, raw json.RawMessage, hwPath string, hwRaw json.RawMessage) (Result, error) {
	r := Result{Number: n}
	m, err := object(path, raw)
	if err != nil {
		return r, err
	}
	ec, ok := present(m, "exit_code")
	if !ok {
		return r, invalid(join(path, "exit_code"), "required integer is missing")
	}
	code, err := integer(join(path, "exit_code"), ec)
	if err != nil {
		return r, err
	}
	r.ExitCode = int(code)
	if r.Hostname, err = optString(m, path, "hostname"); err != nil {
		return r, err
	}
	if r.ScriptSHA256, err = optString(m, path, "script_sha256"); err != nil {
		return r, err
	}
	if r.Started, err = optTime(m, path, "start_datetime"); err != nil {
		return r, err
	}
	if r.Started == nil {
		if r.Started, err = optTime(m, path, "datetime"); err != nil {
			return r, err
		}
	}
	if r.Ended, err = optTime(m, path, "end_datetime"); err != nil {
		return r, err
	}
	if u, ok := present(m, "usage"); ok {
		um, err := object(join(path, "usage"), u)
		if err != nil {
			return r, err
		}
		r.Usage = make(map[string]float64, len(um))
		for k, v := range um {
			if isNull(v) {
				continue
			}
			var f float64
			if err := json.Unmarshal(v, &f); err != nil {
				return r, invalid(join(path, "usage."+k), "want a number, got %s", short(v))
			}
			r.Usage[k] = f
		}
	}
	if env, ok := present(m, "runtime_environment"); ok {
		if r.Environment, err = parseEnvironment(join(path, "runtime_environment"), env); err != nil {
			return r, err
		}
		r.Runtime = compact(env)
	}
	if hwRaw == nil {
		hwPath = join(path, "hwinfo")
		hwRaw, _ = present(m, "hwinfo")
	}
	if hwRaw != nil {
		if r.Hardware, err = parseHardware(hwPath, hwRaw); err != nil {
			return r, err
		}
	}
	if out, ok := present(m, "stdout"); ok {
		if r.Indicator, err = parseIndicator(join(path, "stdout"), out); err != nil {
			return r, err
		}
	}
	return r, nil
}

func parseEnvironment(path string, raw json.RawMessage) (Environment, error) {
	var e Environment
	m, err := object(path, raw)
	if err != nil {
		return e, err
	}
	if e.PythonVersion, err = optString(m, path, "python_version"); err != nil {
		return e, err
	}
	if e.CUDAVersion, err = optString(m, path, "cuda_version"); err != nil {
		return e, err
	}
	if os, ok := present(m, "operating_system"); ok {
		p := join(path, "operating_system")
		om, err := object(p, os)
		if err != nil {
			return e, err
		}
		if e.OSName, err = optString(om, p, "name"); err != nil {
			return e, err
		}
		if e.OSVersion, err = optString(om, p, "version"); err != nil {
			return e, err
		}
	}
	return e, nil
}

// parseHardware reads py-cpuinfo's report (cpu_info, cpu_features) and the
// gpu and ram_size members some reports add.
func parseHardware(path string, raw json.RawMessage) (*Hardware, error) {
	m, err := object(path, raw)
	if err != nil {
		return nil, err
	}
	hw := &Hardware{}
	if ci, ok := present(m, "cpu_info"); ok {
		p := join(path, "cpu_info")
		cm, err := object(p, ci)
		if err != nil {
			return nil, err
		}
		for _, f := range []struct {
			key string
			to  **string
		}{{"brand_raw", &hw.CPUBrand}, {"vendor_id_raw", &hw.CPUVendor}} {
			s, err := optString(cm, p, f.key)
			if err != nil {
				return nil, err
			}
			if s != "" {
				*f.to = &s
			}
		}
		for _, f := range []struct {
			key string
			to  **int64
		}{{"family", &hw.CPUFamily}, {"model", &hw.CPUModel}, {"count", &hw.CPUCores}} {
			if *f.to, err = optInt(cm, p, f.key); err != nil {
				return nil, err
			}
		}
	}
	if cf, ok := present(m, "cpu_features"); ok {
		p := join(path, "cpu_features")
		fm, err := object(p, cf)
		if err != nil {
			return nil, err
		}
		if fl, ok := present(fm, "flags"); ok {
			if err := json.Unmarshal(fl, &hw.Flags); err != nil {
				return nil, invalid(join(p, "flags"), "want an array of strings")
			}
			slices.Sort(hw.Flags)
			hw.Flags = slices.Compact(hw.Flags)
		}
		for _, f := range []struct {
			key string
			to  **int64
		}{{"l1_data_cache_size", &hw.L1Data}, {"l1_instruction_cache_size", &hw.L1Instruction},
			{"l2_cache_size", &hw.L2}, {"l3_cache_size", &hw.L3}} {
			if *f.to, err = optInt(fm, p, f.key); err != nil {
				return nil, err
			}
		}
	}
	if g, ok := present(m, "gpu"); ok {
		hw.GPU = compact(g)
	}
	if hw.RAMSize, err = optInt(m, path, "ram_size"); err != nil {
		return nil, err
	}
	if hw.Flags == nil {
		hw.Flags = []string{}
	}
	return hw, nil
}

// parseIndicator reads a performance indicator's report: name, component,
// @parameters and @result (objects). A stdout that is not an object, or an
// object without a name, reports none.
func parseIndicator(path string, raw json.RawMessage) (*Indicator, error) {
	var m map[string]json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &m) != nil {
		return nil, nil
	}
	name, err := optString(m, path, "name")
	if err != nil || name == "" {
		return nil, err
	}
	pi := &Indicator{Name: name, Parameters: json.RawMessage("{}"), Result: json.RawMessage("{}")}
	if pi.Component, err = optString(m, path, "component"); err != nil {
		return nil, err
	}
	if p, ok := present(m, "@parameters"); ok {
		if _, err := object(join(path, "@parameters"), p); err != nil {
			return nil, err
		}
		pi.Parameters = compact(p)
	}
	if r, ok := present(m, "@result"); ok {
		rm, err := object(join(path, "@result"), r)
		if err != nil {
			return nil, err
		}
		pi.Result = compact(r)
		for _, f := range []struct {
			key string
			to  **float64
		}{{"elapsed", &pi.Elapsed}, {"rate", &pi.Rate}} {
			v, ok := present(rm, f.key)
			if !ok {
				continue
			}
			var x float64
			if err := json.Unmarshal(v, &x); err != nil {
				return nil, invalid(join(path, "@result."+f.key), "want a number, got %s", short(v))
			}
			*f.to = &x
		}
	}
	return pi, nil
}

// The helpers below read one member; absent and null are the same.

func object(path string, raw json.RawMessage) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &m) != nil {
		return nil, invalid(path, "want an object, got %s", short(raw))
	}
	return m, nil
}

func present(m map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	v, ok := m[key]
	if !ok || isNull(v) {
		return nil, false
	}
	return v, true
}

func optString(m map[string]json.RawMessage, path, key string) (string, error) {
	v, ok := present(m, key)
	if !ok {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", invalid(join(path, key), "want a string, got %s", short(v))
	}
	return s, nil
}

func optInt(m map[string]json.RawMessage, path, key string) (*int64, error) {
	v, ok := present(m, key)
	if !ok {
		return nil, nil
	}
	n, err := integer(join(path, key), v)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

func integer(path string, v json.RawMessage) (int64, error) {
	var f float64
	if err := json.Unmarshal(v, &f); err != nil || f != float64(int64(f)) || f > 1<<53 || f < -(1<<53) {
		return 0, invalid(path, "want an integer, got %s", short(v))
	}
	return int64(f), nil
}

// timeLayouts are the forms of Amun's datetimes (Python's isoformat, with
// and without a zone).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"}

func optTime(m map[string]json.RawMessage, path, key string) (*time.Time, error) {
	s, err := optString(m, path, key)
	if err != nil || s == "" {
		return nil, err
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, invalid(join(path, key), "%q is not a date and time (ISO 8601)", s)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func isNull(v json.RawMessage) bool {
	return len(bytes.TrimSpace(v)) == 0 || string(bytes.TrimSpace(v)) == "null"
}

func compact(v json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return v
	}
	return b.Bytes()
}

func short(v json.RawMessage) string {
	s := string(bytes.TrimSpace(v))
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

func sortedKeys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
