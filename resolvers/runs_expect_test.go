package resolvers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// What the GraphQL answers of adviser runs and provenance checks should be,
// read from a document's JSON directly (not through package runs): the
// expectations TestAdviserRuns, TestProvenanceChecks and the thoth suite
// compare the answers with.

const adviserRunSelection = `id analyzer adviserVersion datetime duration deployment origin sourceType
  recommendationType requirementsFormat count limit limitLatestVersions error errorMessage reRunOf isS2i
  debug hasReport
  stackInfo { type message link data }
  runtimeEnvironment { name osName osVersion pythonVersion cudaVersion platform raw }
  hardware { cpuFamily cpuModel cpuCores cpuModelName gpuModel ramSize raw }
  input { ` + stackSelection + ` }
  products { number score performanceScore justification { type message link data }
    advisedRuntimeEnvironment advisedManifestChanges
    stack { ` + lockedSelection + ` } requirements { ` + requirementSelection + ` } }
  unresolved`

const (
	requirementSelection = `name specifier indexUrl markers develop`
	lockedSelection      = `name version versionText indexUrl hashes markers develop packageVersion { name version indexUrl }`
	stackSelection       = `requirements { ` + requirementSelection + ` } locked { ` + lockedSelection + ` }`
)

const provenanceSelection = `id analyzer checkerVersion datetime duration deployment origin error errorMessage debug
  whitelistedIndexes stack { ` + stackSelection + ` }
  findings { number type code justification packageName packageVersion indexUrl digest data version { name version indexUrl } }`

// knownVersion says whether the graph holds a version, and on which index
// (the name PEP 503 normalised, the version in normal form).
type knownVersion func(name, version, indexURL string) (index string, ok bool)

func decodeDoc(t testing.TB, raw []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// get follows keys through nested objects; nil when any is missing.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func orEmpty(v any) any {
	if v == nil {
		return map[string]any{}
	}
	return v
}

func upperOrNil(v any) any {
	s, ok := v.(string)
	if !ok || s == "" {
		return nil
	}
	return strings.ToUpper(s)
}

func strOrNil(v any) any {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return nil
}

func expectTime(t testing.TB, v any) any {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm.UTC().Format(time.RFC3339Nano)
		}
	}
	t.Fatalf("bad datetime %q", s)
	return nil
}

func expectJustification(entries any) []any {
	out := []any{}
	list, _ := entries.([]any)
	for _, e := range list {
		msg := get(e, "message")
		if msg == nil {
			msg = get(e, "Message")
		}
		out = append(out, map[string]any{"type": get(e, "type"), "message": msg, "link": get(e, "link"), "data": e})
	}
	return out
}

// expectStack is what a RunStack answers for a Pipfile and its lock.
func expectStack(req, lock any, known knownVersion) map[string]any {
	sources := func(list any) map[string]string {
		m := map[string]string{}
		l, _ := list.([]any)
		for _, s := range l {
			name, _ := get(s, "name").(string)
			url, _ := get(s, "url").(string)
			m[name] = python.NormalizeIndexURL(url)
		}
		return m
	}
	index := func(src map[string]string, v any) any {
		name, _ := v.(string)
		if name == "" {
			return nil
		}
		return src[name]
	}
	type entry struct {
		develop bool
		name    string
		v       map[string]any
	}
	sorted := func(sections map[bool]any, mk func(name string, v any, develop bool) map[string]any) []any {
		var es []entry
		seen := map[string]bool{}
		for _, develop := range []bool{false, true} {
			m, _ := sections[develop].(map[string]any)
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				n := python.NormalizeName(k)
				if seen[fmt.Sprint(develop, n)] {
					continue
				}
				seen[fmt.Sprint(develop, n)] = true
				es = append(es, entry{develop, n, mk(n, m[k], develop)})
			}
		}
		sort.SliceStable(es, func(i, j int) bool {
			if es[i].develop != es[j].develop {
				return !es[i].develop
			}
			return es[i].name < es[j].name
		})
		out := []any{}
		for _, e := range es {
			out = append(out, e.v)
		}
		return out
	}
	reqSrc := sources(get(req, "source"))
	reqs := sorted(map[bool]any{false: get(req, "packages"), true: get(req, "dev-packages")}, func(name string, v any, develop bool) map[string]any {
		spec := "*"
		var idx, markers any
		switch v := v.(type) {
		case string:
			if strings.TrimSpace(v) != "" {
				spec = strings.TrimSpace(v)
			}
		case map[string]any:
			if s, _ := v["version"].(string); strings.TrimSpace(s) != "" {
				spec = strings.TrimSpace(s)
			}
			idx, markers = index(reqSrc, v["index"]), strOrNil(v["markers"])
		}
		return map[string]any{"name": name, "specifier": spec, "indexUrl": idx, "markers": markers, "develop": develop}
	})
	lockSrc := sources(get(lock, "_meta", "sources"))
	locked := sorted(map[bool]any{false: get(lock, "default"), true: get(lock, "develop")}, func(name string, v any, develop bool) map[string]any {
		out := map[string]any{"name": name, "version": nil, "versionText": nil, "develop": develop,
			"indexUrl": index(lockSrc, get(v, "index")), "markers": strOrNil(get(v, "markers")), "hashes": []any{}, "packageVersion": nil}
		hashes := []any{}
		list, _ := get(v, "hashes").([]any)
		for _, h := range list {
			hashes = append(hashes, strings.TrimSpace(h.(string)))
		}
		out["hashes"] = hashes
		if s, _ := get(v, "version").(string); s != "" {
			text := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "==="), "==")
			normal, ok := python.NormalizeVersion(text)
			if !ok {
				normal = text
			}
			out["version"], out["versionText"] = normal, text
			url, _ := out["indexUrl"].(string)
			if idx, ok := known(name, normal, url); ok {
				out["packageVersion"] = map[string]any{"name": name, "version": normal, "indexUrl": idx}
			}
		}
		return out
	})
	return map[string]any{"requirements": reqs, "locked": locked}
}

// expectAdviserRun is what adviserRun answers for doc with
// adviserRunSelection.
func expectAdviserRun(t testing.TB, doc map[string]any, known knownVersion) map[string]any {
	meta, res := doc["metadata"], doc["result"]
	client := get(meta, "arguments", "thoth-adviser", "metadata")
	params := get(res, "parameters")
	project := get(params, "project")
	report := get(res, "report")
	env := get(project, "runtime_environment")
	hw := get(env, "hardware")
	osEnv := python.Environment{}
	osEnv.OSName, _ = get(env, "operating_system", "name").(string)
	osEnv.OSVersion, _ = get(env, "operating_system", "version").(string)
	osEnv.PythonVersion, _ = get(env, "python_version").(string)
	osEnv = osEnv.Normalized()
	var ram any
	if n, ok := get(hw, "ram_size").(json.Number); ok {
		f, _ := n.Float64()
		ram = f
	}
	gpu := get(hw, "gpu_model")
	if gpu == nil {
		gpu = get(hw, "gpu_model_name")
	}
	var unresolved []string
	for _, list := range []any{get(report, "_ERROR_DETAILS", "unresolved"), get(report, "unresolved")} {
		l, _ := list.([]any)
		for _, u := range l {
			name, ok := u.(string)
			if !ok {
				name, _ = get(u, "package_name").(string)
			}
			unresolved = append(unresolved, python.NormalizeName(name))
		}
	}
	sort.Strings(unresolved)
	uniq := []any{}
	for i, u := range unresolved {
		if i == 0 || unresolved[i-1] != u {
			uniq = append(uniq, u)
		}
	}
	products := []any{}
	list, _ := get(report, "products").([]any)
	for i, p := range list {
		var perf any
		js, _ := get(p, "justification").([]any)
		for _, j := range js {
			if v := get(j, "performance_score"); v != nil && perf == nil {
				perf = v
			}
		}
		stack := expectStack(get(p, "project", "requirements"), get(p, "project", "requirements_locked"), known)
		products = append(products, map[string]any{
			"number": i + 1, "score": get(p, "score"), "performanceScore": perf,
			"justification":             expectJustification(get(p, "justification")),
			"advisedRuntimeEnvironment": get(p, "advised_runtime_environment"),
			"advisedManifestChanges":    get(p, "advised_manifest_changes"),
			"stack":                     stack["locked"], "requirements": stack["requirements"],
		})
	}
	verbose, _ := get(meta, "arguments", "thoth-adviser", "verbose").(bool)
	errFlag, _ := get(res, "error").(bool)
	return map[string]any{
		"id": get(meta, "document_id"), "analyzer": get(meta, "analyzer"), "adviserVersion": get(meta, "analyzer_version"),
		"datetime": expectTime(t, get(meta, "datetime")), "duration": get(meta, "duration"),
		"deployment": get(meta, "thoth_deployment_name"), "origin": strOrNil(get(client, "origin")),
		"sourceType": upperOrNil(get(client, "source_type")), "recommendationType": upperOrNil(get(params, "recommendation_type")),
		"requirementsFormat": upperOrNil(get(params, "requirements_format")), "count": get(params, "count"),
		"limit": get(params, "limit"), "limitLatestVersions": get(params, "limit_latest_versions"),
		"error": errFlag, "errorMessage": strOrNil(get(res, "error_msg")), "reRunOf": strOrNil(get(client, "re_run_adviser_id")),
		"isS2i": get(client, "is_s2i"), "debug": verbose, "hasReport": report != nil,
		"stackInfo": expectJustification(get(report, "stack_info")),
		"runtimeEnvironment": map[string]any{"name": strOrNil(get(env, "name")), "osName": strOrNil(osEnv.OSName),
			"osVersion": strOrNil(osEnv.OSVersion), "pythonVersion": strOrNil(osEnv.PythonVersion),
			"cudaVersion": strOrNil(get(env, "cuda_version")), "platform": strOrNil(get(env, "platform")), "raw": orEmpty(env)},
		"hardware": map[string]any{"cpuFamily": get(hw, "cpu_family"), "cpuModel": get(hw, "cpu_model"), "cpuCores": get(hw, "cpu_cores"),
			"cpuModelName": strOrNil(get(hw, "cpu_model_name")), "gpuModel": strOrNil(gpu), "ramSize": ram, "raw": orEmpty(hw)},
		"input":      expectStack(get(project, "requirements"), get(project, "requirements_locked"), known),
		"products":   products,
		"unresolved": uniq,
	}
}

// expectProvenanceCheck is what provenanceCheck answers for doc with
// provenanceSelection.
func expectProvenanceCheck(t testing.TB, doc map[string]any, known knownVersion) map[string]any {
	meta, res := doc["metadata"], doc["result"]
	params := get(res, "parameters")
	idx := []any{}
	l, _ := get(params, "whitelisted_indexes").([]any)
	for _, u := range l {
		idx = append(idx, python.NormalizeIndexURL(u.(string)))
	}
	findings := []any{}
	entries, _ := get(res, "report").([]any)
	for i, e := range entries {
		f := map[string]any{"number": i, "type": strings.ToUpper(get(e, "type").(string)), "code": strOrNil(get(e, "id")),
			"justification": strOrNil(get(e, "justification")), "packageName": nil, "packageVersion": nil,
			"indexUrl": nil, "digest": strOrNil(get(e, "digest")), "data": e, "version": nil}
		if n, ok := get(e, "package_name").(string); ok {
			f["packageName"] = python.NormalizeName(n)
		}
		if u, ok := get(e, "source", "url").(string); ok {
			f["indexUrl"] = python.NormalizeIndexURL(u)
		}
		if v, ok := get(e, "package_version").(string); ok {
			text := strings.TrimPrefix(strings.TrimPrefix(v, "==="), "==")
			normal, ok := python.NormalizeVersion(text)
			if !ok {
				normal = text
			}
			f["packageVersion"] = normal
			url, _ := f["indexUrl"].(string)
			if at, ok := known(f["packageName"].(string), normal, url); ok {
				f["version"] = map[string]any{"name": f["packageName"], "version": normal, "indexUrl": at}
			}
		}
		findings = append(findings, f)
	}
	verbose, _ := get(meta, "arguments", "thoth-adviser", "verbose").(bool)
	errFlag, _ := get(res, "error").(bool)
	return map[string]any{
		"id": get(meta, "document_id"), "analyzer": get(meta, "analyzer"), "checkerVersion": get(meta, "analyzer_version"),
		"datetime": expectTime(t, get(meta, "datetime")), "duration": get(meta, "duration"),
		"deployment": get(meta, "thoth_deployment_name"), "origin": strOrNil(get(meta, "arguments", "thoth-adviser", "metadata", "origin")),
		"error": errFlag, "errorMessage": strOrNil(get(res, "error_msg")), "debug": verbose, "whitelistedIndexes": idx,
		"stack":    expectStack(get(params, "project", "requirements"), get(params, "project", "requirements_locked"), known),
		"findings": findings,
	}
}

// sameJSON compares got and want as JSON values (numbers as float64), and
// reports the first difference with its path.
func sameJSON(t testing.TB, what string, got, want any) {
	t.Helper()
	norm := func(v any) any {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var out any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if path, g, w, ok := diff("", norm(got), norm(want)); !ok {
		t.Errorf("%s: at %s: got %s, want %s", what, path, short(g), short(w))
	}
}

func diff(path string, got, want any) (string, any, any, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return path, got, want, false
		}
		for k := range w {
			if p, a, b, ok := diff(path+"."+k, g[k], w[k]); !ok {
				return p, a, b, false
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path, got, want, false
		}
		for i := range w {
			if p, a, b, ok := diff(fmt.Sprintf("%s[%d]", path, i), g[i], w[i]); !ok {
				return p, a, b, false
			}
		}
	default:
		if fmt.Sprint(got) != fmt.Sprint(want) || (got == nil) != (want == nil) {
			return path, got, want, false
		}
	}
	return path, got, want, true
}

func short(v any) string {
	raw, _ := json.Marshal(v)
	if len(raw) > 300 {
		return string(raw[:300]) + "…"
	}
	return string(raw)
}
