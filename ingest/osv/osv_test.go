package osv

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// testdata is the module's testdata/osv: records written for these tests.
var testdata = filepath.Join("..", "..", "testdata", "osv")

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testdata, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func parseTestdata(t *testing.T, name string) *Record {
	t.Helper()
	rec, err := Parse(filepath.Base(name), readTestdata(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return rec
}

func ts(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

func mustVersion(t *testing.T, s string) python.Version {
	t.Helper()
	v, err := python.ParseVersion(s)
	if err != nil {
		t.Fatalf("ParseVersion(%q): %v", s, err)
	}
	return v
}

func TestParseYAML(t *testing.T) {
	rec := parseTestdata(t, "vulns/example-pkg/PYSEC-0000-1.yaml")
	want := &Record{
		ID:      "PYSEC-0000-1",
		Aliases: []string{"CVE-0000-0001", "GHSA-xxxx-xxxx-0001"},
		Details: "Example_Pkg before 1.2.7, and 1.10.x before 1.10.2, read <input> & crash. This advisory is invented for tests.",
		Severity: []Severity{
			{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"},
		},
		References: []Reference{
			{Type: "ADVISORY", URL: "https://example.org/advisories/1?a=1&b=2"},
			{Type: "FIX", URL: "https://example.org/example-pkg/commit/0123456789abcdef0123456789abcdef01234567"},
		},
		Published: ts(t, "2023-11-29T19:15:00Z"),
		Modified:  time.Date(2024, 2, 17, 7, 18, 27, 688636000, time.UTC),
		Affected: []python.Affected{{
			Name: "example-pkg",
			Ranges: []python.Range{
				{Type: python.RangeGit, Repo: "https://example.org/example-pkg.git", Events: []python.Event{
					{Introduced: "0"}, {Fixed: "0123456789abcdef0123456789abcdef01234567"},
				}},
				{Type: python.RangeEcosystem, Events: []python.Event{
					{Introduced: "0"}, {Fixed: "1.2.7"}, {Introduced: "1.10"}, {Fixed: "1.10.2"},
				}},
			},
			// 1.2 and 1.10 are YAML floats: kept as written, 1.10 is not 1.1.
			Versions: []string{"1.0.1", "1.1", "1.2", "1.2.6", "1.10", "1.10.1"},
		}},
	}
	raw := rec.Raw
	rec.Raw = nil
	if !reflect.DeepEqual(rec, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", rec, want)
	}

	a := want.Affected[0]
	for s, affected := range map[string]bool{"1.2.5": true, "1.10.0": true, "1.10.2": false, "1.2.7": false, "1.9": false} {
		if got := a.Matches(mustVersion(t, s)); got != affected {
			t.Errorf("Matches(%s) = %v, want %v", s, got, affected)
		}
	}

	// Raw: canonical JSON, every key kept, timestamps and numbers as written.
	for _, part := range []string{
		`"database_specific":{"source":"invented"}`,
		`"modified":"2024-02-17T07:18:27.688636Z"`,
		`"versions":["1.0.1","1.1",1.2,"1.2.6",1.10,"1.10.1"]`,
		`"url":"https://example.org/advisories/1?a=1&b=2"`,
		`read <input> & crash.`,
	} {
		if !bytes.Contains(raw, []byte(part)) {
			t.Errorf("Raw lacks %s:\n%s", part, raw)
		}
	}
	if !bytes.HasPrefix(raw, []byte(`{"affected":[{"package":{"ecosystem":"PyPI","name":"Example_Pkg","purl":"pkg:pypi/example-pkg"},"ranges":[`)) {
		t.Errorf("Raw is not canonical (keys sorted, compact):\n%s", raw)
	}
	if !json.Valid(raw) {
		t.Errorf("Raw is not JSON:\n%s", raw)
	}
}

func TestParseWithdrawnLastAffectedLimit(t *testing.T) {
	rec := parseTestdata(t, "vulns/example-pkg/PYSEC-0000-2.yml")
	if rec.Withdrawn == nil || !rec.Withdrawn.Equal(ts(t, "2024-03-01T09:00:00Z")) {
		t.Errorf("Withdrawn = %v", rec.Withdrawn)
	}
	if want := time.Date(2023, 12, 31, 22, 0, 0, 0, time.UTC); rec.Published != want {
		t.Errorf("Published = %v, want %v (in UTC)", rec.Published, want)
	}
	if rec.Summary != "Invented advisory of two packages" || rec.Details != "" || rec.Aliases != nil || rec.References != nil {
		t.Errorf("Summary %q, Details %q, Aliases %#v, References %#v", rec.Summary, rec.Details, rec.Aliases, rec.References)
	}
	if len(rec.Affected) != 2 || rec.Affected[0].Name != "example-pkg" || rec.Affected[1].Name != "other-pkg" {
		t.Fatalf("Affected = %+v", rec.Affected)
	}
	a := rec.Affected[0]
	for s, affected := range map[string]bool{
		"1.9": false, "2.0.dev1": false, "2.0a1": true, "2.0": true, "2.0.post1": true, "2.0.post2": false, "2.1": false,
		"3.0": true, "3.4.9": true, "3.5": false,
	} {
		if got := a.Matches(mustVersion(t, s)); got != affected {
			t.Errorf("Matches(%s) = %v, want %v", s, got, affected)
		}
	}
	if b := rec.Affected[1]; !b.Matches(mustVersion(t, "0.9rc1")) || b.Matches(mustVersion(t, "0.9")) {
		t.Errorf("%s: explicit versions %v not matched as versions", b.Name, b.Versions)
	}
}

func TestParseJSON(t *testing.T) {
	rec := parseTestdata(t, "vulns/other-pkg/GHSA-xxxx-yyyy-zzzz.json")
	if rec.ID != "GHSA-xxxx-yyyy-zzzz" || rec.Modified != time.Date(2024, 5, 2, 12, 30, 45, 5e8, time.UTC) {
		t.Errorf("ID %q, Modified %v", rec.ID, rec.Modified)
	}
	want := []python.Affected{{
		Name: "other-pkg",
		Ranges: []python.Range{
			{Type: python.RangeSemver, Events: []python.Event{{Introduced: "1.0.0"}, {Fixed: "1.5.0"}}},
			{Type: python.RangeEcosystem, Events: []python.Event{{Introduced: "1.0"}, {Fixed: "1.5"}}},
		},
		Versions: []string{"1.0", "1.4"},
	}}
	if !reflect.DeepEqual(rec.Affected, want) {
		t.Errorf("Affected = %+v, want only the PyPI entry %+v", rec.Affected, want)
	}
	if fixed, ok := rec.Affected[0].FixedIn(mustVersion(t, "1.4.2")); fixed != "1.5" || !ok {
		t.Errorf("FixedIn(1.4.2) = %q, %v", fixed, ok)
	}
	for _, part := range []string{`"credits":[{"name":"Someone","type":"FINDER"}]`, `"ecosystem":"npm"`, `"schema_version":"1.6.0"`} {
		if !bytes.Contains(rec.Raw, []byte(part)) {
			t.Errorf("Raw lacks %s:\n%s", part, rec.Raw)
		}
	}
}

// The same record in YAML and in JSON parses to the same Record, Raw
// included.
func TestParseYAMLAndJSONAgree(t *testing.T) {
	for _, name := range []string{
		"vulns/example-pkg/PYSEC-0000-1.yaml",
		"vulns/example-pkg/PYSEC-0000-2.yml",
		"vulns/other-pkg/GHSA-xxxx-yyyy-zzzz.json",
		"all/PYSEC-0000-3.json",
	} {
		t.Run(name, func(t *testing.T) {
			rec := parseTestdata(t, name)
			again, err := Parse("record.json", rec.Raw)
			if err != nil {
				t.Fatalf("Parse(Raw): %v", err)
			}
			if !reflect.DeepEqual(again, rec) {
				t.Errorf("Parse(Raw) =\n%+v\nwant\n%+v", again, rec)
			}
			// JSON is YAML: the YAML reader gives the same record.
			asYAML, err := Parse("record.yaml", rec.Raw)
			if err != nil {
				t.Fatalf("Parse(Raw as YAML): %v", err)
			}
			if !reflect.DeepEqual(asYAML, rec) {
				t.Errorf("Parse(Raw as YAML) =\n%+v\nwant\n%+v", asYAML, rec)
			}
		})
	}
}

func TestParseChoosesTheReader(t *testing.T) {
	const record = `{"id": "PYSEC-0000-9", "modified": "2024-01-01T00:00:00Z"}`
	for _, tt := range []struct {
		name, raw string
		err       string // "" when it parses
	}{
		{"PYSEC-0000-9.json", record, ""},
		{"PYSEC-0000-9.yaml", record, ""},
		{"PYSEC-0000-9", "\ufeff \n" + record, ""},
		{"PYSEC-0000-9", "id: PYSEC-0000-9\nmodified: 2024-01-01T00:00:00Z\n", ""},
		{"PYSEC-0000-9.YML", "id: PYSEC-0000-9\nmodified: 2024-01-01T00:00:00Z\n", ""},
		{"PYSEC-0000-9.json", "id: PYSEC-0000-9\nmodified: 2024-01-01T00:00:00Z\n", "invalid JSON: invalid character 'i' looking for beginning of value"},
		{"PYSEC-0000-9", "{id: PYSEC-0000-9}", "invalid JSON: invalid character 'i' looking for beginning of object key string"},
	} {
		rec, err := Parse(tt.name, []byte(tt.raw))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("Parse(%q, %q) = %v", tt.name, tt.raw, err)
		case tt.err == "" && rec.ID != "PYSEC-0000-9":
			t.Errorf("Parse(%q, %q).ID = %q", tt.name, tt.raw, rec.ID)
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("Parse(%q, %q) = %v, want %q", tt.name, tt.raw, err, tt.err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	// head is a valid record's beginning; most cases add one key to it.
	const head = `"id": "PYSEC-0000-9", "modified": "2024-01-01T00:00:00Z"`
	pypi := func(entry string) string {
		return `{` + head + `, "affected": [{"package": {"ecosystem": "PyPI", "name": "x"}}, {"package": {"ecosystem": "npm", "name": "y"}}, ` + entry + `]}`
	}
	for _, tt := range []struct {
		name, raw string
		path, msg string
	}{
		// The record as a whole.
		{"r.json", "", "", "empty record"},
		{"r.json", `{"id": "x"`, "", "invalid JSON: unexpected EOF"},
		{"r.json", `{` + head + `} {}`, "", "invalid JSON: data after the record"},
		{"r.json", `[]`, "", "expected an object, got array"},
		{"r.yaml", "", "", "empty record"},
		{"r.yaml", "# nothing\n", "", "empty record"},
		{"r.yaml", "id: [", "", "invalid YAML: line 1: did not find expected node content"},
		{"r.yaml", "id: a\n---\nid: b\n", "", "invalid YAML: more than one document"},
		{"r.yaml", "- a\n", "", "expected an object, got array"},
		{"r.yaml", "just text\n", "", "expected an object, got string"},
		{"r.yaml", "id: a\nid: b\n", "id", "duplicate key (line 2)"},
		{"r.yaml", "affected:\n- package: {name: a, name: b}\n", "affected[0].package.name", "duplicate key (line 2)"},
		{"r.yaml", "? [a]\n: b\n", "", "a key that is not a string (line 1)"},
		{"r.yaml", "base: &b {x: 1}\nother:\n  <<: *b\n", "other", "merge keys (<<) are not supported (line 3)"},
		{"r.yaml", aliasBomb(), "d[7][1][0][6]", "more than 10000 nodes repeated through aliases"},
		{"r.json", strings.Repeat(" ", MaxRecordBytes+1), "", "record is more than 8388608 bytes"},

		// id, modified, published, withdrawn.
		{"r.json", `{"modified": "2024-01-01T00:00:00Z"}`, "id", "missing"},
		{"r.json", `{"id": null, "modified": "2024-01-01T00:00:00Z"}`, "id", "missing"},
		{"r.json", `{"id": 7, "modified": "2024-01-01T00:00:00Z"}`, "id", "expected a string, got number"},
		{"r.json", `{"id": " ", "modified": "2024-01-01T00:00:00Z"}`, "id", "empty"},
		{"r.json", `{"id": "PYSEC-0000-9"}`, "modified", "missing"},
		{"r.json", `{"id": "PYSEC-0000-9", "modified": "2024-01-01"}`, "modified", `"2024-01-01" is not an RFC 3339 time`},
		{"r.yaml", "id: PYSEC-0000-9\nmodified: 2024-01-01 10:00:00\n", "modified", `"2024-01-01 10:00:00" is not an RFC 3339 time`},
		{"r.json", `{"id": "PYSEC-0000-9", "modified": 1704067200}`, "modified", "expected a string, got number"},
		{"r.json", `{` + head + `, "published": "yesterday"}`, "published", `"yesterday" is not an RFC 3339 time`},
		{"r.json", `{` + head + `, "withdrawn": true}`, "withdrawn", "expected a string, got boolean"},

		// aliases, summary, details, severity.
		{"r.json", `{` + head + `, "aliases": "CVE-0000-1"}`, "aliases", "expected an array, got string"},
		{"r.json", `{` + head + `, "aliases": ["CVE-0000-1", null]}`, "aliases[1]", "expected a string, got null"},
		{"r.json", `{` + head + `, "summary": ["x"]}`, "summary", "expected a string, got array"},
		{"r.json", `{` + head + `, "details": {}}`, "details", "expected a string, got object"},
		{"r.json", `{` + head + `, "severity": {}}`, "severity", "expected an array, got object"},
		{"r.json", `{` + head + `, "severity": ["CVSS_V3"]}`, "severity[0]", "expected an object, got string"},
		{"r.json", `{` + head + `, "severity": [{"score": "x"}]}`, "severity[0].type", "missing"},
		{"r.json", `{` + head + `, "severity": [{"type": "CVSS_V3"}]}`, "severity[0].score", "missing"},

		// affected.
		{"r.json", `{` + head + `, "affected": {}}`, "affected", "expected an array, got object"},
		{"r.json", `{` + head + `, "affected": [null]}`, "affected[0]", "expected an object, got null"},
		{"r.json", pypi(`{"package": "x"}`), "affected[2].package", "expected an object, got string"},
		{"r.json", pypi(`{"package": {"name": "x"}}`), "affected[2].package.ecosystem", "missing"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI"}}`), "affected[2].package.name", "missing"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": ""}}`), "affected[2].package.name", "empty"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": {}}`), "affected[2].ranges", "expected an array, got object"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [1]}`), "affected[2].ranges[0]", "expected an object, got number"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"events": [{"introduced": "0"}]}]}`), "affected[2].ranges[0].type", "missing"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": 1}]}`), "affected[2].ranges[0].type", "expected a string, got number"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "PEP440", "events": [{"introduced": "0"}]}]}`), "affected[2].ranges[0].type", `unknown range type "PEP440" (want ECOSYSTEM, SEMVER or GIT)`},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "GIT", "repo": ["r"]}]}`), "affected[2].ranges[0].repo", "expected a string, got array"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": {}}]}`), "affected[2].ranges[0].events", "expected an array, got object"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "ECOSYSTEM"}]}`), "affected[2].ranges[0].events", "no events"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, "1.0"]}]}`), "affected[2].ranges[0].events[1]", "expected an object, got string"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": true}]}]}`), "affected[2].ranges[0].events[1].fixed", "expected a version string, got boolean"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": " "}]}]}`), "affected[2].ranges[0].events[1].fixed", "empty"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixd": "1.0"}]}]}`), "affected[2].ranges[0].events[1]", "no introduced, fixed, last_affected or limit"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1.0"}]}]}`), "affected[2].ranges[0].events[0]", "more than one of introduced, fixed, last_affected and limit"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1.0"}]}]}`), "affected[2].ranges[0].events", "no introduced event"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}, {"introduced": "2.x"}]}]}`), "affected[2].ranges[0].events[2].introduced", `invalid PEP 440 version "2.x"`},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "GIT", "events": [{"introduced": "0"}]}, {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "abc123"}]}]}`), "affected[2].ranges[1].events[1].fixed", `invalid PEP 440 version "abc123"`},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "latest"}]}]}`), "affected[2].ranges[0].events[1].last_affected", `invalid PEP 440 version "latest"`},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "versions": "1.0"}`), "affected[2].versions", "expected an array, got string"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "versions": ["1.0", {}]}`), "affected[2].versions[1]", "expected a version string, got object"},
		{"r.json", pypi(`{"package": {"ecosystem": "PyPI", "name": "x"}, "versions": [""]}`), "affected[2].versions[0]", "empty"},

		// references.
		{"r.json", `{` + head + `, "references": "https://example.org"}`, "references", "expected an array, got string"},
		{"r.json", `{` + head + `, "references": [{"type": "WEB", "url": "https://example.org"}, {"type": "WEB"}]}`, "references[1].url", "missing"},
		{"r.json", `{` + head + `, "references": [{"url": "https://example.org"}]}`, "references[0].type", "missing"},
	} {
		raw := tt.raw
		if len(raw) > 80 {
			raw = raw[:80] + "..."
		}
		rec, err := Parse(tt.name, []byte(tt.raw))
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || e.Path != tt.path || e.Message != tt.msg {
			t.Errorf("Parse(%s, %q) = %v, %#v; want an *Error at %q saying %q", tt.name, raw, rec, err, tt.path, tt.msg)
			continue
		}
		want := tt.msg
		if tt.path != "" {
			want = tt.path + ": " + tt.msg
		}
		if err.Error() != want {
			t.Errorf("Parse(%s, %q) error says %q, want %q", tt.name, raw, err.Error(), want)
		}
	}
}

// aliasBomb is a YAML record whose aliases expand to 10^6 strings.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("id: PYSEC-0000-9\nmodified: 2024-01-01T00:00:00Z\na: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f"} {
		b.WriteString(name + ": &" + name + " [")
		for i := 0; i < 10; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	return b.String()
}

// What the checks leave alone: other ecosystems, unknown keys, SEMVER and
// GIT versions, explicit versions PEP 440 cannot parse, null as absent.
func TestParseAccepts(t *testing.T) {
	rec, err := Parse("r.json", []byte(`{
		"id": "PYSEC-0000-9", "modified": "2024-01-01T00:00:00.123456789+01:00", "published": null, "withdrawn": null,
		"summary": null, "x-unknown": {"deep": [1, 2.5e3, true]},
		"affected": [
			{"package": {"ecosystem": "npm", "name": "y"}, "ranges": "not checked"},
			{"ranges": [{"type": "GIT", "repo": "https://example.org/r", "events": [{"introduced": "0"}, {"fixed": "abc"}]}]},
			{"package": {"ecosystem": "PyPI", "name": "Zope.Interface"},
			 "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0-rc.1"}]},
			            {"type": "ECOSYSTEM", "events": [{"introduced": 1.10}, {"limit": "*"}]}],
			 "versions": ["1.0-legacy-", 2]}
		]}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2023, 12, 31, 23, 0, 0, 123456789, time.UTC); rec.Modified != want || !rec.Published.IsZero() || rec.Withdrawn != nil {
		t.Errorf("Modified %v (want %v), Published %v, Withdrawn %v", rec.Modified, want, rec.Published, rec.Withdrawn)
	}
	want := []python.Affected{{
		Name: "zope-interface",
		Ranges: []python.Range{
			{Type: python.RangeSemver, Events: []python.Event{{Introduced: "0"}, {Fixed: "1.0.0-rc.1"}}},
			{Type: python.RangeEcosystem, Events: []python.Event{{Introduced: "1.10"}, {Limit: "*"}}},
		},
		Versions: []string{"1.0-legacy-", "2"},
	}}
	if !reflect.DeepEqual(rec.Affected, want) {
		t.Errorf("Affected = %+v, want %+v", rec.Affected, want)
	}
	if !bytes.Contains(rec.Raw, []byte(`"x-unknown":{"deep":[1,2.5e3,true]}`)) {
		t.Errorf("Raw = %s", rec.Raw)
	}
}
