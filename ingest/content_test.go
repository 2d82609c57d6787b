package ingest_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/seshat-graph/seshat/ingest"
)

// reencoded is what ingestDocument stores: the document decoded as the
// GraphQL transport decodes variables (numbers kept as written), encoded
// again by encoding/json.
func reencoded(t testing.TB, raw []byte) ([]byte, bool) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return out, true
}

func TestCanonical(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`{ "b": 1, "a" : [ true, false, null ] }`, `{"a":[true,false,null],"b":1}`},
		{`{"a": 1, "a": 2}`, `{"a":2}`},
		{`{"b": {"y": 1, "x": 2}, "a": {}}`, `{"a":{},"b":{"x":2,"y":1}}`},
		{`["\u00e9", "é", "\/", "\"\\", "\n\t\u0001", "<&>"]`, `["é","é","/","\"\\","\n\t\u0001","<&>"]`},
		{`["\ud83d\ude00", "\ud83d", "\ud83dx"]`, "[\"\U0001F600\",\"\uFFFD\",\"\uFFFDx\"]"},
		{`[1, -0, 1.0, 1e0, 1.5, 12.50, 1e400, 123456789012345678901234567890, 0.1]`, `[1,0,1,1,1.5,12.5,1e400,123456789012345678901234567890,0.1]`},
		{"\"\xff\"", "\"\uFFFD\""},
		{`  "s"  `, `"s"`},
	} {
		got, err := ingest.Canonical([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("Canonical(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := ingest.Canonical([]byte(`{"a":`)); err == nil {
		t.Error("Canonical of broken JSON: no error")
	}
	// Not JSON is hashed as it is.
	if ingest.Digest([]byte("x")) != "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881" {
		t.Error("Digest of non-JSON is not the SHA-256 of its bytes")
	}
}

// FuzzCanonical: a document, pretty or not, has the digest of its copy as
// ingestDocument stores it, and the canonical form is a fixed point.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		`{"metadata": {"document_id": "solver-fedora-31-py37-0123abcd", "duration": 2.50}, "result": {"tree": []}}`,
		`{"z": "\u00e9\ud83d\ude00", "a": [1, 2.0, -0, 1e2, "x\"y"], "m": {"k": null, "k": true}}`,
		"[\"\xff\xfe\", 0.1, 1E-7, 1e21]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ingest.Canonical(raw)
		if err != nil {
			if json.Valid(raw) {
				t.Fatalf("valid JSON refused: %v", err)
			}
			return
		}
		if !json.Valid(c) {
			t.Fatalf("canonical form %q of %q is not JSON", c, raw)
		}
		if cc, _ := ingest.Canonical(c); !bytes.Equal(cc, c) {
			t.Fatalf("not a fixed point: %q -> %q -> %q", raw, c, cc)
		}
		if re, ok := reencoded(t, raw); ok {
			if rc, _ := ingest.Canonical(re); !bytes.Equal(rc, c) {
				t.Fatalf("%q: canonical %q, of its re-encoded copy %q", raw, c, rc)
			}
		}
	})
}
