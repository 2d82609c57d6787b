package resolvers_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/seshat-graph/seshat/auth"
	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/ingest"
	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence/objectstore"
	"github.com/seshat-graph/seshat/resolvers"
	"github.com/seshat-graph/seshat/server"
)

// enum is an enum value in a GraphQL literal (written without quotes).
type enum string

// lit writes v as a GraphQL input literal. Strings are JSON-escaped, which
// GraphQL reads the same way (NUL included, as \u0000).
func lit(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case enum:
		return string(v)
	case string:
		b, _ := json.Marshal(v)
		return string(b)
	case bool, int:
		return fmt.Sprint(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = lit(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		return "{" + litArgs(v) + "}"
	}
	panic(fmt.Sprintf("lit: %T", v))
}

// litArgs writes the members of an argument list or input object, in name order.
func litArgs(m map[string]any) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+": "+lit(m[k]))
	}
	return strings.Join(parts, ", ")
}

// cursor forges a well-formed cursor of the list kind with the given key
// (the persistence encoding: base64url of {"k": kind, "v": key}), for keys
// the graph does not have.
func cursor(kind string, key ...string) string {
	b, _ := json.Marshal(map[string]any{"k": kind, "v": key})
	return base64.RawURLEncoding.EncodeToString(b)
}

func nodeID(raw string) string { return base64.StdEncoding.EncodeToString([]byte(raw)) }

func env(osName, osVersion, python string) map[string]any {
	return map[string]any{"osName": osName, "osVersion": osVersion, "pythonVersion": python}
}

const nul = "a\u0000b"

// Expected answers of a root field with the given arguments.
const (
	wantData    = "data"    // a value, no error
	wantNull    = "null"    // null, no error: the schema's "unknown"
	wantInvalid = "INVALID" // an INVALID error at the field
)

// call is one argument set of a root field and the answer expected of it.
type call struct {
	args map[string]any
	want string
}

// named is an argument value with the answer a lookup by it expects.
type named struct {
	v    any
	want string
}

var (
	knownEnv   = env("rhel", "8", "3.8")
	unknownEnv = env("rhel", "9", "3.11") // well-formed, no data
	// Environments that are not well-formed, with what a query in them answers.
	garbageEnvs = []named{{env("", "", ""), wantInvalid}, {env(" ", "8", "3.8"), wantInvalid},
		{env("rhel", "8", "banana"), wantData}, {env(nul, nul, nul), wantInvalid},
		{env(strings.Repeat("x", 10000), "8", "3.8"), wantData}}
	garbageCursors = []any{"!!!", "bm90LWEtY3Vyc29y", "e30", cursor("nope", "x"), cursor("package"), nul,
		strings.Repeat("A", 10000)}
	// Package names, with what looking them up answers.
	unknownNames = []named{{"no-such-package", wantNull}, {"", wantInvalid}, {"  ", wantInvalid}, {"!!!", wantNull},
		{"a/b", wantNull}, {"Ünïcödé", wantNull}, {nul, wantInvalid}, {strings.Repeat("n", 10000), wantNull}}
	// Index URLs, with what a version lookup on them answers.
	unknownURLs = []named{{"https://unknown.example.com/simple", wantNull}, {"", wantNull}, {"not a url", wantNull},
		{"ftp://x", wantNull}, {nul, wantInvalid}, {strings.Repeat("u", 10000), wantNull}}
	// Document ids: ok says whether the id names a document kind, so that
	// the ingestion mutations take it (and report the document FAILED).
	unknownDocIDs = []struct {
		id string
		ok bool
	}{{"solver-rhel-8-py38-unknown", true}, {"solver-fedora-31-py37-0123abcd", true}, {"adviser-unknown", true},
		{"nope", false}, {"", false}, {"../../etc/passwd", false}, {"solver-../../x", false},
		{"solver-rhel-8-py38-a/../../b", false}, {nul, false}, {strings.Repeat("d", 10000), false}}
)

// lookup is what a query that lists things answers when a lookup by the
// same value answers want: an empty list where the lookup is null.
func lookup(want string) string {
	if want == wantNull {
		return wantData
	}
	return want
}

// rootArgs are the argument sets sent to each root field: unknown and
// garbage names, versions, environments, indexes, document ids and cursors,
// and a few known ones so that the nested fields run too.
func rootArgs() map[string][]call {
	pv := func(name, version string, indexURL any) map[string]any {
		return map[string]any{"name": name, "version": version, "indexUrl": indexURL}
	}
	type a = map[string]any
	m := map[string][]call{
		"environments": {{a{}, wantData}},
		"indexes":      {{a{}, wantData}, {a{"enabled": true}, wantData}, {a{"enabled": false}, wantData}, {a{"enabled": nil}, wantData}},
		"node": {
			{a{"id": nodeID("Package:999999999")}, wantNull}, {a{"id": nodeID("PackageVersion:999999999")}, wantNull},
			{a{"id": nodeID("Environment:999999999")}, wantNull}, {a{"id": nodeID("PackageIndex:999999999")}, wantNull},
			{a{"id": nodeID("Package:9223372036854775807")}, wantNull}, {a{"id": nodeID("Package:99999999999999999999")}, wantInvalid},
			{a{"id": nodeID("Package:0")}, wantInvalid}, {a{"id": nodeID("Package:-1")}, wantInvalid}, {a{"id": nodeID("Nope:1")}, wantInvalid},
			{a{"id": nodeID("Package")}, wantInvalid}, {a{"id": nodeID(":1")}, wantInvalid}, {a{"id": "!!!"}, wantInvalid},
			{a{"id": ""}, wantInvalid}, {a{"id": nul}, wantInvalid},
			{a{"id": nodeID("PackageVersion:1")}, wantData}, {a{"id": nodeID("Package:1")}, wantData},
			{a{"id": nodeID("SoftwareEnvironment:999999999")}, wantNull}, {a{"id": nodeID("SoftwareEnvironment:1")}, wantData},
		},
		"package": {{a{"name": "py-yaml"}, wantData}},
		"packages": {
			{a{"first": 2}, wantData}, {a{"first": 0}, wantData}, {a{"first": -1}, wantInvalid}, {a{"first": 1 << 30}, wantData},
			{a{"nameStartsWith": "no-such-"}, wantData}, {a{"nameStartsWith": "%_\\"}, wantData}, {a{"nameStartsWith": nul}, wantInvalid},
			{a{"after": cursor("package", "zzzz-unknown")}, wantData}, {a{"after": cursor("package", nul)}, wantInvalid},
			{a{"after": cursor("package", "a", "b")}, wantInvalid}, {a{"after": cursor("version", "1.0", "1", "")}, wantInvalid},
		},
		"packageVersion": {
			{a{"name": "py-yaml", "version": "6.0"}, wantData}, {a{"name": "py-yaml", "version": "6.0", "indexUrl": indexA}, wantData},
			{a{"name": "py-yaml", "version": "999.0"}, wantNull}, {a{"name": "py-yaml", "version": "not a version"}, wantNull},
			{a{"name": "py-yaml", "version": ""}, wantInvalid}, {a{"name": "py-yaml", "version": nul}, wantInvalid},
		},
		"resolve": {
			{a{"input": a{"requirements": []any{"py-yaml"}, "environment": knownEnv}}, wantData},
			{a{"input": a{"requirements": []any{"py-yaml"}, "environment": unknownEnv}}, wantData},
			{a{"input": a{"requirements": []any{"no-such-package>=1"}, "environment": knownEnv,
				"indexUrls": []any{"https://unknown.example.com/simple"}, "constraints": []any{"py-yaml<0"}}}, wantData},
			{a{"input": a{"requirements": []any{strings.Repeat("n", 10000)}, "environment": knownEnv}}, wantData},
			{a{"input": a{"requirements": []any{}, "environment": knownEnv}}, wantInvalid},
			{a{"input": a{"requirements": []any{"!!!"}, "environment": knownEnv}}, wantInvalid},
			{a{"input": a{"requirements": []any{nul}, "environment": knownEnv}}, wantInvalid},
			{a{"input": a{"requirements": []any{"py-yaml"}, "constraints": []any{"py-yaml >= banana"}, "environment": knownEnv}}, wantInvalid},
			{a{"input": a{"requirements": []any{"py-yaml"}, "environment": env("", "", "")}}, wantInvalid},
		},
		"dependencyGraph": {
			{a{"root": pv("py-yaml", "6.0", nil), "environment": knownEnv}, wantData},
			{a{"root": pv("py-yaml", "6.0", nil), "environment": unknownEnv}, wantData},
			{a{"root": pv("py-yaml", "6.0", nil), "environment": unknownEnv, "maxDepth": 0}, wantData},
			{a{"root": pv("py-yaml", "6.0", nil), "environment": unknownEnv, "extras": []any{"x", "", nul}, "markerTrueOnly": false}, wantData},
			{a{"root": pv("py-yaml", "6.0", "https://unknown.example.com/simple"), "environment": knownEnv}, wantData},
			{a{"root": pv("py-yaml", "6.0", "https://unknown.example.com/simple"), "environment": unknownEnv}, wantData},
			{a{"root": pv("py-yaml", "999.0", nil), "environment": knownEnv}, wantData},
			{a{"root": pv("py-yaml", "999.0", nil), "environment": unknownEnv}, wantData},
			{a{"root": pv("py-yaml", "6.0", nil), "environment": knownEnv, "maxDepth": -1}, wantInvalid},
			{a{"root": pv("py-yaml", "6.0", nil), "environment": knownEnv, "maxDepth": 1 << 30}, wantInvalid},
			{a{"root": pv("py-yaml", "", nil), "environment": knownEnv}, wantInvalid},
			{a{"root": pv("py-yaml", "6.0", nul), "environment": knownEnv}, wantInvalid},
		},
		"dependents": {
			{a{"name": "ruamel-yaml"}, wantData}, {a{"name": "ruamel-yaml", "version": "0.17.21", "environment": knownEnv, "maxDepth": 3}, wantData},
			{a{"name": "ruamel-yaml", "environment": unknownEnv}, wantData}, {a{"name": "ruamel-yaml", "version": "999.0"}, wantData},
			{a{"name": "ruamel-yaml", "maxDepth": -1}, wantInvalid}, {a{"name": "ruamel-yaml", "maxDepth": 1 << 30}, wantInvalid},
			{a{"name": "ruamel-yaml", "first": -1}, wantInvalid}, {a{"name": "ruamel-yaml", "version": nul}, wantInvalid},
			{a{"name": "ruamel-yaml", "after": cursor("dependent", "1", "zzz", "999999", "999999")}, wantData},
			{a{"name": "ruamel-yaml", "after": cursor("dependent", "x", "zzz", "y", "z")}, wantInvalid},
			{a{"name": "ruamel-yaml", "after": cursor("dependent", "99999999999999999999", "", "-1", "0")}, wantInvalid},
		},
		"unsolvedPackageVersions": {
			{a{"environment": knownEnv, "first": 2}, wantData}, {a{"environment": unknownEnv}, wantData},
			{a{"environment": knownEnv, "first": -1}, wantInvalid},
			{a{"environment": knownEnv, "after": cursor("unsolved", "999999999")}, wantData},
			{a{"environment": knownEnv, "after": cursor("unsolved", "x")}, wantInvalid},
			{a{"environment": knownEnv, "after": cursor("unsolved", "99999999999999999999")}, wantInvalid},
		},
		"document": {{a{"id": "solver-fixtures"}, wantData}},
		"documents": {
			{a{"first": 2}, wantData}, {a{"kind": "no-such-kind"}, wantData}, {a{"kind": nul}, wantInvalid},
			{a{"status": enum("FAILED")}, wantData}, {a{"status": enum("NOPE")}, wantInvalid}, {a{"first": -1}, wantInvalid},
			{a{"after": cursor("document", "zzzz-unknown")}, wantData}, {a{"after": cursor("document", nul)}, wantInvalid},
			{a{"after": cursor("document")}, wantInvalid},
		},
		"inspection": {{a{"id": "inspection-unknown-00000000"}, wantNull}, {a{"id": ""}, wantNull}, {a{"id": nul}, wantInvalid}},
		"inspections": {
			{a{"first": 2}, wantData}, {a{"package": "no-such-package"}, wantData}, {a{"package": nul}, wantInvalid},
			{a{"environment": knownEnv}, wantData}, {a{"environment": unknownEnv}, wantData}, {a{"environment": env("", "", "")}, wantInvalid},
			{a{"first": -1}, wantInvalid}, {a{"after": cursor("inspection", "zzzz-unknown")}, wantData},
			{a{"after": cursor("document", "x")}, wantInvalid}, {a{"after": "!!!"}, wantInvalid},
		},
		"performanceIndicators": {
			{a{"name": "PiMatmul"}, wantData}, {a{"name": ""}, wantData}, {a{"name": nul}, wantInvalid},
			{a{"name": "PiMatmul", "package": "no-such-package"}, wantData}, {a{"name": "PiMatmul", "package": nul}, wantInvalid},
			{a{"name": "PiMatmul", "parameters": a{"matrix_size": 512}}, wantData}, {a{"name": "PiMatmul", "parameters": "x"}, wantInvalid},
			{a{"name": "PiMatmul", "parameters": []any{}}, wantInvalid}, {a{"name": "PiMatmul", "first": -1}, wantInvalid},
		},
		"vulnerability": {
			{a{"id": "PYSEC-0000-0"}, wantNull}, {a{"id": "CVE-0000-0000"}, wantNull}, {a{"id": ""}, wantNull},
			{a{"id": nul}, wantInvalid},
		},
		"vulnerabilities": {
			{a{"first": 2}, wantData}, {a{"package": "no-such-package"}, wantData}, {a{"package": nul}, wantInvalid},
			{a{"first": -1}, wantInvalid}, {a{"after": cursor("vulnerability", "ZZZZ-unknown")}, wantData},
			{a{"after": cursor("vulnerability", nul)}, wantInvalid}, {a{"after": cursor("document", "x")}, wantInvalid},
		},
		"vulnerabilityDataUpdatedAt": {{a{}, wantNull}},
		"unanalyzedSecurityPackageVersions": {
			{a{"first": 2}, wantData}, {a{}, wantData}, {a{"first": -1}, wantInvalid}, {a{"first": 1 << 30}, wantData},
			{a{"after": cursor("si-unanalyzed", "999999999")}, wantData}, {a{"after": cursor("si-unanalyzed", "x")}, wantInvalid},
			{a{"after": cursor("unsolved", "1")}, wantInvalid},
		},
		"packagesProvidingImport": {
			{a{"name": "yaml"}, wantData}, {a{"name": "yaml", "prefix": true, "first": 2}, wantData}, {a{"name": "no.such.module"}, wantData},
			{a{"name": "%_\\", "prefix": true}, wantData}, {a{"name": "Ünïcödé", "prefix": false}, wantData}, {a{"name": ""}, wantInvalid},
			{a{"name": "  "}, wantInvalid}, {a{"name": nul}, wantInvalid}, {a{"name": strings.Repeat("m", 10000)}, wantInvalid},
			{a{"name": "yaml", "first": -1}, wantInvalid}, {a{"name": "yaml", "after": cursor("import", "999999999")}, wantData},
			{a{"name": "yaml", "after": cursor("import", "x")}, wantInvalid}, {a{"name": "yaml", "after": cursor("unsolved", "1")}, wantInvalid},
		},
		"registerPackageVersions": {
			{a{"input": []any{}}, wantData}, {a{"input": []any{pv("py-yaml", "6.0.1-rc1", indexA)}}, wantData},
			{a{"input": []any{pv("py-yaml", "6.0", indexA), pv("py_yaml", "6.0.0", "https://pypi.python.org/simple/")}}, wantData},
			{a{"input": []any{pv("py-yaml", "6.0", nil)}}, wantInvalid}, {a{"input": []any{pv("py-yaml", "not a version", indexA)}}, wantInvalid},
			{a{"input": []any{pv("py-yaml", "", indexA)}}, wantInvalid}, {a{"input": []any{pv("!!!", "1.0", indexA)}}, wantInvalid},
			{a{"input": []any{pv(nul, "1.0", indexA)}}, wantInvalid}, {a{"input": []any{pv("a", nul, indexA)}}, wantInvalid},
			{a{"input": []any{pv("a", "1.0", nul)}}, wantInvalid}, {a{"input": []any{pv("a", "1.0", "")}}, wantInvalid},
			{a{"input": []any{pv("a", "1.0", "https://never-registered.example.com/simple")}}, "NOT_FOUND"},
			{a{"input": []any{pv(strings.Repeat("n", 10000), "1.0", indexA)}}, wantInvalid},
			{a{"input": []any{pv("a", strings.Repeat("1", 10000), indexA)}}, wantInvalid},
			{a{"input": []any{pv("a", "1.0", strings.Repeat("u", 10000))}}, "NOT_FOUND"},
		},
		"registerPackageIndex": {
			{a{"url": "https://unknown.example.com/simple", "warehouseApiUrl": "https://unknown.example.com/pypi", "verifySsl": false, "enabled": false}, wantData},
			{a{"url": "https://unknown.example.com/simple", "warehouseApiUrl": nul}, wantInvalid},
			{a{"url": "https://unknown.example.com/simple"}, wantData}, {a{"url": ""}, wantInvalid}, {a{"url": "not a url"}, wantInvalid},
			{a{"url": "ftp://x"}, wantInvalid}, {a{"url": nul}, wantInvalid}, {a{"url": strings.Repeat("u", 10000)}, wantInvalid},
		},
		"ingestDocument": {
			{a{"input": a{"document": a{}}}, wantInvalid},
			{a{"input": a{"document": []any{}}}, wantInvalid},
			{a{"input": a{"document": "a string"}}, wantInvalid},
			{a{"input": a{"document": nil}}, wantInvalid},
			{a{"input": a{"document": a{"metadata": a{"document_id": 7}}}}, wantInvalid},
			{a{"input": a{"document": a{"metadata": a{}, "result": a{}}, "force": true,
				"documentId": "solver-rhel-8-py38-20240101000000-0123456789abcdef"}}, wantData},
			{a{"input": a{"document": a{"metadata": a{"document_id": nul}, "result": nul}}}, wantInvalid},
		},
		"importVulnerabilities": {
			{a{"input": a{"records": []any{}}}, wantData},
			{a{"input": a{"records": []any{a{}}}}, wantData},
			{a{"input": a{"records": []any{"not: [yaml", "", 7, nil}}}, wantInvalid},
			{a{"input": a{"records": []any{"not: [yaml", ""}}}, wantData},
			{a{"input": a{"records": []any{a{"id": nul, "modified": "yesterday"}}}}, wantData},
			{a{"input": a{"records": []any{a{"id": "PYSEC-0000-1", "modified": "2024-01-01T00:00:00Z",
				"affected": []any{a{"package": a{"ecosystem": "PyPI", "name": "no-such-package"}, "versions": []any{"1.0", "not a version"},
					"ranges": []any{a{"type": "ECOSYSTEM", "events": []any{a{"introduced": "0"}, a{"fixed": "x y z"}}}}}}}}}}, wantData},
		},
		"packageVersions": {
			{a{"name": "py-yaml", "version": "6.0"}, wantData}, {a{"name": "py-yaml", "version": "999.0"}, wantData},
			{a{"name": "py-yaml", "version": "6.0", "environment": knownEnv, "includeErrors": true, "includeMissing": true}, wantData},
			{a{"name": "py-yaml", "version": ""}, wantInvalid}, {a{"name": "py-yaml", "version": nul}, wantInvalid},
		},
		"rules": {
			{a{}, wantData}, {a{"package": "no-such-package"}, wantData}, {a{"package": ""}, wantData}, {a{"package": "Ünïcödé"}, wantData},
			{a{"package": nul}, wantInvalid}, {a{"first": -1}, wantInvalid},
			{a{"after": cursor("rule", "999999999")}, wantData}, {a{"after": cursor("rule", "x")}, wantInvalid},
			{a{"after": cursor("rule", "99999999999999999999")}, wantInvalid},
		},
		"rule": {
			{a{"id": nodeID("Rule:999999999")}, wantNull}, {a{"id": nodeID("Package:1")}, wantInvalid}, {a{"id": "!!!"}, wantInvalid},
			{a{"id": ""}, wantInvalid}, {a{"id": nul}, wantInvalid},
		},
		"setArtifactPresent": {
			{a{"name": "py-yaml", "version": "6.0", "indexUrl": indexA, "sha256": strings.Repeat("0", 64), "present": false}, "NOT_FOUND"},
			{a{"name": "py-yaml", "version": "999.0", "indexUrl": indexA, "sha256": strings.Repeat("0", 64), "present": true}, "NOT_FOUND"},
			{a{"name": "py-yaml", "version": "6.0", "indexUrl": indexA, "sha256": "not a digest", "present": false}, wantInvalid},
			{a{"name": nul, "version": nul, "indexUrl": nul, "sha256": strings.Repeat("0", 64), "present": false}, wantInvalid},
			{a{"name": "", "version": "6.0", "indexUrl": indexA, "sha256": strings.Repeat("0", 64), "present": false}, wantInvalid},
		},
		"markPackageVersion": {
			{a{"input": a{"name": "py-yaml", "version": "6.0", "indexUrl": indexA, "providesSourceDistro": true}}, wantData},
			{a{"input": a{"name": "py-yaml", "version": "6.0", "indexUrl": indexA}}, wantInvalid},
			{a{"input": a{"name": "py-yaml", "version": "999.0", "indexUrl": indexA, "isMissing": false}}, "NOT_FOUND"},
			{a{"input": a{"name": "py-yaml", "version": "6.0", "indexUrl": "https://unknown.example.com/simple", "isMissing": false}}, "NOT_FOUND"},
			{a{"input": a{"name": nul, "version": "6.0", "indexUrl": indexA, "isMissing": false}}, wantInvalid},
			{a{"input": a{"name": "py-yaml", "version": "", "indexUrl": indexA, "isMissing": false}}, wantInvalid},
		},
		"createRule": {
			{a{"input": a{"package": "no-such-package", "versionRange": ">=1.0,<2", "description": "x"}}, wantData},
			{a{"input": a{"package": "py-yaml", "indexUrl": indexA}}, wantData},
			{a{"input": a{"package": "py-yaml", "versionRange": "not a specifier"}}, wantInvalid},
			{a{"input": a{"package": "py-yaml", "versionRange": ">=1.0.*"}}, wantInvalid},
			{a{"input": a{"package": "py-yaml", "indexUrl": "https://never-registered.example.com/simple"}}, "NOT_FOUND"},
			{a{"input": a{"package": ""}}, wantInvalid}, {a{"input": a{"package": nul}}, wantInvalid},
			{a{"input": a{"package": "py-yaml", "versionRange": nul}}, wantInvalid},
			{a{"input": a{"package": "py-yaml", "description": nul}}, wantInvalid},
			{a{"input": a{"package": "py-yaml", "indexUrl": nul}}, wantInvalid},
		},
		"deleteRule": {
			{a{"id": nodeID("Rule:999999999")}, "NOT_FOUND"}, {a{"id": "!!!"}, wantInvalid}, {a{"id": nodeID("Package:1")}, wantInvalid},
			{a{"id": nul}, wantInvalid},
		},
		"deleteDocument": {
			{a{"id": "solver-no-such-document"}, wantData}, {a{"id": strings.Repeat("x", 10000)}, wantData},
			{a{"id": ""}, wantInvalid}, {a{"id": nul}, wantInvalid},
		},
		"purgeEnvironment": {{a{"environment": unknownEnv}, wantData}, {a{"environment": env("", "", "")}, wantInvalid}},
		"imageAnalysis": {
			{a{"id": "package-extract-unknown"}, wantNull}, {a{"id": ""}, wantNull}, {a{"id": "../../etc/passwd"}, wantNull},
			{a{"id": strings.Repeat("d", 10000)}, wantNull}, {a{"id": nul}, wantInvalid},
			{a{"id": "package-extract-210601080910-5eed1e55"}, wantData}, {a{"id": "package-extract-210704010203-0deb0deb"}, wantData},
		},
		"imageAnalyses": {
			{a{}, wantData}, {a{"imageName": "quay.io/no/such-image", "first": 2}, wantData}, {a{"imageName": ""}, wantData},
			{a{"imageName": nul}, wantInvalid}, {a{"first": -1}, wantInvalid}, {a{"first": 1 << 30}, wantData},
			{a{"after": cursor("image-analysis", "zzzz-unknown")}, wantData}, {a{"after": cursor("image-analysis", nul)}, wantInvalid},
			{a{"after": cursor("software-environment", "1")}, wantInvalid},
		},
		"softwareEnvironments": {
			{a{}, wantData}, {a{"environmentType": enum("BUILDTIME"), "osName": "ubi", "osVersion": "8.3", "pythonVersion": "38"}, wantData},
			{a{"environmentType": enum("NOPE")}, wantInvalid}, {a{"imageName": strings.Repeat("i", 10000)}, wantData},
			{a{"imageName": nul}, wantInvalid}, {a{"osName": nul}, wantInvalid}, {a{"first": -1}, wantInvalid},
			{a{"after": cursor("software-environment", "999999999")}, wantData}, {a{"after": cursor("software-environment", "x")}, wantInvalid},
			{a{"after": cursor("software-environment", "99999999999999999999")}, wantInvalid},
			{a{"symbol": "GLIBC_2.28", "pythonFileSha256": strings.Repeat("a", 64)}, wantData}, {a{"symbol": ""}, wantData},
			{a{"pythonFileSha256": "not a digest"}, wantData}, {a{"symbol": nul}, wantInvalid}, {a{"pythonFileSha256": nul}, wantInvalid},
			{a{"symbol": strings.Repeat("s", 10000)}, wantData},
		},
		"adviserRun": {{a{"id": "adviser-unknown-00000000"}, wantNull}, {a{"id": ""}, wantNull}, {a{"id": nul}, wantInvalid}},
		"solverRequests": {
			{a{}, wantData}, {a{"first": 2, "environment": knownEnv}, wantData}, {a{"environment": unknownEnv}, wantData},
			{a{"kind": "si-unanalyzed-package"}, wantData}, {a{"kind": "nope"}, wantInvalid}, {a{"first": 0}, wantInvalid},
			{a{"first": 1 << 30}, wantInvalid}, {a{"environment": env("", "", "")}, wantInvalid},
		},
		"dependencyMonkeyRun": {{a{"id": "dependency-monkey-unknown"}, wantNull}, {a{"id": ""}, wantNull}, {a{"id": nul}, wantInvalid}},
		"adviserRuns": {
			{a{"first": 2}, wantData}, {a{"sourceType": enum("KEBECHET")}, wantData}, {a{"sourceType": enum("NOPE")}, wantInvalid},
			{a{"origin": "https://unknown.example.com/x"}, wantData}, {a{"origin": nul}, wantInvalid},
			{a{"from": "2020-01-01T00:00:00Z", "to": "2019-01-01T00:00:00Z"}, wantData}, {a{"from": "yesterday"}, wantInvalid},
			{a{"first": -1}, wantInvalid}, {a{"after": cursor("adviser-run", "zzzz-unknown")}, wantData},
			{a{"after": cursor("adviser-run", nul)}, wantInvalid}, {a{"after": cursor("document", "x")}, wantInvalid},
		},
		"unresolvedFromAdviserRuns": {{a{"sourceType": enum("KEBECHET")}, wantData}, {a{"sourceType": enum("NOPE")}, wantInvalid}},
		"provenanceCheck":           {{a{"id": "provenance-checker-unknown"}, wantNull}, {a{"id": ""}, wantNull}, {a{"id": nul}, wantInvalid}},
		"provenanceChecks": {
			{a{"first": 2}, wantData}, {a{"first": -1}, wantInvalid}, {a{"after": cursor("provenance-check", "zzzz-unknown")}, wantData},
			{a{"after": cursor("provenance-check", nul)}, wantInvalid}, {a{"after": cursor("adviser-run", "x")}, wantInvalid},
		},
		"syncDocuments": {
			{a{"input": a{}}, wantData},
			{a{"input": a{"prefix": "no-such-prefix"}}, wantData},
			{a{"input": a{"prefix": "../.."}}, wantInvalid},
			{a{"input": a{"prefix": nul}}, wantInvalid},
			{a{"input": a{"limit": -1}}, wantInvalid},
			{a{"input": a{"documentIds": []any{}, "dryRun": true}}, wantData},
		},
	}
	add := func(field string, args map[string]any, want string) { m[field] = append(m[field], call{args, want}) }
	for _, n := range unknownNames {
		name := n.v.(string)
		add("package", a{"name": name}, n.want)
		add("packageVersion", a{"name": name, "version": "1.0"}, n.want)
		add("dependents", a{"name": name}, lookup(n.want))
		add("dependencyGraph", a{"root": pv(name, "1.0", nil), "environment": unknownEnv}, lookup(n.want))
		add("packageVersions", a{"name": name, "version": "1.0"}, lookup(n.want))
	}
	for _, u := range unknownURLs {
		add("packageVersion", a{"name": "py-yaml", "version": "6.0", "indexUrl": u.v}, u.want)
		add("unsolvedPackageVersions", a{"environment": knownEnv, "indexUrl": u.v}, lookup(u.want))
	}
	for _, e := range garbageEnvs {
		add("dependencyGraph", a{"root": pv("py-yaml", "6.0", nil), "environment": e.v}, e.want)
		add("dependents", a{"name": "ruamel-yaml", "environment": e.v}, e.want)
		add("unsolvedPackageVersions", a{"environment": e.v}, e.want)
		add("packageVersions", a{"name": "py-yaml", "version": "6.0", "environment": e.v}, e.want)
	}
	for _, c := range garbageCursors {
		add("packages", a{"after": c}, wantInvalid)
		add("dependents", a{"name": "ruamel-yaml", "after": c}, wantInvalid)
		add("unsolvedPackageVersions", a{"environment": knownEnv, "after": c}, wantInvalid)
		add("documents", a{"after": c}, wantInvalid)
		add("adviserRuns", a{"after": c}, wantInvalid)
		add("provenanceChecks", a{"after": c}, wantInvalid)
		add("rules", a{"after": c}, wantInvalid)
		add("imageAnalyses", a{"after": c}, wantInvalid)
		add("softwareEnvironments", a{"after": c}, wantInvalid)
		add("packagesProvidingImport", a{"name": "yaml", "after": c}, wantInvalid)
		add("unanalyzedSecurityPackageVersions", a{"after": c}, wantInvalid)
	}
	for _, d := range unknownDocIDs {
		want, prefix := wantInvalid, wantInvalid
		if d.ok {
			want = wantData
		}
		if d.ok || d.id == "nope" || d.id == "" {
			prefix = wantData // a prefix that is a valid key, of no document
		}
		if d.id == nul {
			add("document", a{"id": d.id}, wantInvalid)
		} else {
			add("document", a{"id": d.id}, wantNull)
		}
		add("ingestDocument", a{"input": a{"document": a{"metadata": a{"document_id": d.id}, "result": a{}}}}, want)
		add("ingestDocument", a{"input": a{"document": a{}, "documentId": d.id}}, want)
		// Documents that cannot be read are failures in the report, not errors.
		add("syncDocuments", a{"input": a{"documentIds": []any{d.id}}}, wantData)
		add("syncDocuments", a{"input": a{"documentIds": []any{d.id}, "force": true}}, wantData)
		add("syncDocuments", a{"input": a{"prefix": d.id}}, prefix)
	}
	return m
}

// nestedArgs are the values given to the arguments of fields below the root,
// by argument name; selection variant i takes value i modulo the count.
var nestedArgs = map[string][]any{
	"environment": {unknownEnv, env("", "", ""), env(nul, nul, nul), nil, knownEnv},
	"first":       {2, -1, 0, 1 << 30, nil},
	"after": {cursor("version", "999.0", "999999999", ""), cursor("dependent", "1", "zzz", "999999999", "999999999"),
		"!!!", cursor("version", "not a version", "x", "y"), nul, cursor("version", "1.0", "99999999999999999999", "-1")},
	"indexUrl":       {"https://unknown.example.com/simple", "", nul, nil, "https://pypi.org/simple"},
	"extras":         {[]any{"no-such-extra"}, []any{""}, []any{nul}, nil},
	"markerTrueOnly": {false, true, nil},
	"includeMissing": {true, false, nil},
	"includeErrors":  {true, nil, false},
	"solvedOnly":     {false, true, nil},
	"library":        {"/usr/lib64/libc.so.6", "", nul, nil, strings.Repeat("l", 10000)},
	"sha256":         {strings.Repeat("a", 64), "not a digest", nul, nil, ""},
	"name":           {"PiMatmul", "", nul, nil},
}

// nestedVariants is how many selections each root argument set is sent with.
const nestedVariants = 6

// selection selects every field of def down to depth levels of objects,
// with nestedArgs variant v; an argument without an entry fails the test.
func selection(t *testing.T, s *ast.Schema, def *ast.Definition, depth, v int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("__typename")
	if def.Kind == ast.Interface || def.Kind == ast.Union {
		for _, p := range s.GetPossibleTypes(def) {
			fmt.Fprintf(&b, " ... on %s { %s }", p.Name, selection(t, s, p, depth, v))
		}
		if def.Kind == ast.Union {
			return b.String()
		}
	}
	for _, f := range def.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		ft := s.Types[f.Type.Name()]
		composite := ft.Kind == ast.Object || ft.Kind == ast.Interface || ft.Kind == ast.Union
		if composite && depth == 0 {
			continue
		}
		b.WriteString(" " + f.Name)
		args := map[string]any{}
		for _, a := range f.Arguments {
			vals, ok := nestedArgs[a.Name]
			if !ok {
				t.Fatalf("%s.%s(%s:): no values in nestedArgs", def.Name, f.Name, a.Name)
			}
			if x := vals[v%len(vals)]; x != nil || a.Type.NonNull {
				if x == nil {
					x = vals[0]
				}
				args[a.Name] = x
			}
		}
		if len(args) > 0 {
			b.WriteString("(" + litArgs(args) + ")")
		}
		if composite {
			b.WriteString(" { " + selection(t, s, ft, depth-1, v) + " }")
		}
	}
	return b.String()
}

// TestUnknownArguments sends every root query and mutation field of the
// executable schema (walked, so a new field without argument sets fails the
// test) names, versions, environments, indexes, document ids and cursors
// the graph does not know, well-formed and garbage, with every field below
// it selected and asked the same. No answer may be INTERNAL (a panic in a
// resolver answers INTERNAL too): unknown things are null, empty or
// NOT_FOUND, malformed ones INVALID. Mutations go with an admin token, to a
// gateway whose document store is a directory and to one on MinIO.
func TestUnknownArguments(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	submitAnalyses(t, h.store, testdataAnalyses(t)) // so that the lists below an analysis run
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &resolvers.Resolver{}}).Schema()
	table := rootArgs()
	tokens, err := auth.ParseTokens("admin:admin:" + adminSecret)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := objectstore.Open(t.Context(), objectstore.Config{URL: "dir://" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s3, err := objectstore.Open(t.Context(), testenv.Bucket(t, "data"))
	if err != nil {
		t.Fatal(err)
	}
	gateways := map[string]*harness{}
	for name, docs := range map[string]objectstore.Store{"dir": dir, "s3": s3} {
		logger := testenv.Logger(t)
		r := &resolvers.Resolver{Store: h.store, Logger: logger, Limits: resolvers.Limits{MaxDepth: 20, MaxPageSize: 200, DefaultPage: 50},
			Ingest: &ingest.Service{Store: h.store, Docs: docs, Logger: logger, Workers: 1}}
		srv := httptest.NewServer(auth.New(tokens).Middleware(server.GraphQL(r, logger, server.GraphQLOptions{Timeout: time.Minute})))
		t.Cleanup(srv.Close)
		gateways[name] = &harness{url: srv.URL, store: h.store, tracer: h.tracer}
	}

	requests, seen, reported := 0, map[string]bool{}, map[string]bool{}
	for _, op := range []struct {
		keyword string
		def     *ast.Definition
		stores  []string
	}{{"query", schema.Query, []string{"dir"}}, {"mutation", schema.Mutation, []string{"dir", "s3"}}} {
		for _, f := range op.def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			sets, ok := table[f.Name]
			if !ok || len(sets) == 0 {
				t.Errorf("%s field %s: no argument sets in rootArgs", op.keyword, f.Name)
				continue
			}
			delete(table, f.Name)
			ft := schema.Types[f.Type.Name()]
			t.Run(f.Name, func(t *testing.T) {
				for _, store := range op.stores {
					g := gateways[store]
					for _, c := range sets {
						// The root field alone: the answer its arguments call for.
						root := op.keyword + " { " + f.Name + argList(c.args)
						if ft.Kind != ast.Scalar && ft.Kind != ast.Enum {
							root += " { __typename }"
						}
						root += " }"
						requests++
						var out map[string]any
						errs := g.do(t, adminSecret, root, nil, &out)
						got := wantData
						switch {
						case len(errs) > 0:
							got = fmt.Sprint(errs[0].Extensions["code"])
							if p := fieldPath(errs[0].Path); p != f.Name && p != "" {
								got += " at " + p
							}
						case out[f.Name] == nil:
							got = wantNull
						}
						if got != c.want {
							t.Errorf("%s %s(%.300s): %s, want %s", store, f.Name, litArgs(c.args), got, c.want)
						}
						for v := range nestedVariants {
							q := op.keyword + " { " + f.Name + argList(c.args)
							if ft.Kind != ast.Scalar && ft.Kind != ast.Enum {
								q += " { " + selection(t, schema, ft, 3, v) + " }"
							}
							q += " }"
							if seen[store+q] {
								continue // a selection without arguments is the same in every variant
							}
							seen[store+q] = true
							requests++
							var data any
							errs := g.do(t, adminSecret, q, nil, &data)
							for _, code := range reportedCodes(data) {
								if code == "INTERNAL" {
									key := fmt.Sprintf("%s: a reported code is INTERNAL", store)
									if !reported[key] {
										reported[key] = true
										t.Errorf("%s\n  %s(%.300s), selection variant %d", key, f.Name, litArgs(c.args), v)
									}
								}
							}
							for _, e := range errs {
								switch code := e.Extensions["code"]; code {
								case "NOT_FOUND", "INVALID":
								default:
									// One report per field path and answer, with the first arguments that got it.
									key := fmt.Sprintf("%s %v at %s: %q", store, code, fieldPath(e.Path), e.Message)
									if !reported[key] {
										reported[key] = true
										t.Errorf("%s\n  %s(%.300s), selection variant %d", key, f.Name, litArgs(c.args), v)
									}
								}
							}
						}
					}
				}
			})
		}
	}
	for name := range table {
		t.Errorf("rootArgs has %s, which is no root field of the schema", name)
	}
	t.Logf("%d requests", requests)
}

// fieldPath is a response path without its list indexes.
func fieldPath(path []any) string {
	var parts []string
	for _, p := range path {
		if s, ok := p.(string); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ".")
}

func argList(args map[string]any) string {
	if len(args) == 0 {
		return ""
	}
	return "(" + litArgs(args) + ")"
}

// reportedCodes are the values of every code and errorCode member in data:
// the codes of failures a mutation reports (SyncFailure.code,
// IngestResult.errorCode) and of documents recorded failed.
func reportedCodes(data any) []string {
	var out []string
	switch v := data.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && (k == "code" || k == "errorCode") {
				out = append(out, s)
			}
			out = append(out, reportedCodes(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, reportedCodes(x)...)
		}
	}
	return out
}
