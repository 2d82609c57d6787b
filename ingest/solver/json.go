package solver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/seshat-graph/seshat/python"
)

// The helpers below decode one JSON value held as json.RawMessage, so that a
// value of the wrong type is reported at its exact path. A nil RawMessage is
// an absent key; the literal null is "null".

// at is a lazily formatted JSON path: base.key, or base[idx] when key is "".
// Building it costs nothing until an error needs it.
type at struct {
	base string
	key  string
	idx  int
}

func field(base, key string) at { return at{base: base, key: key} }

func elem(base string, i int) at { return at{base: base, idx: i} }

func (a at) String() string {
	if a.base == "" && a.key == "" {
		return "" // the document itself
	}
	if a.key == "" {
		return a.base + "[" + strconv.Itoa(a.idx) + "]"
	}
	if a.base == "" {
		return a.key
	}
	return a.base + "." + a.key
}

func invalid(a at, format string, args ...any) error {
	return &ValidationError{Path: a.String(), Message: fmt.Sprintf(format, args...)}
}

// kind names the JSON type of r; "absent" for a missing key.
func kind(r json.RawMessage) string {
	i := skipSpace(r, 0)
	if i == len(r) {
		return "absent"
	}
	switch r[i] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// missing reports whether the key is absent or null.
func missing(r json.RawMessage) bool {
	k := kind(r)
	return k == "absent" || k == "null"
}

func wrongType(a at, want string, r json.RawMessage) error {
	if kind(r) == "absent" {
		return invalid(a, "required %s is missing", want)
	}
	return invalid(a, "expected %s, got %s", want, kind(r))
}

// object decodes a required JSON object.
func object(a at, r json.RawMessage) (map[string]json.RawMessage, error) {
	if kind(r) != "object" {
		return nil, wrongType(a, "object", r)
	}
	m, err := splitObject(r)
	if err != nil {
		return nil, invalid(a, "bad object: %v", err)
	}
	return m, nil
}

// optObject decodes an object that may be absent or null (then nil).
func optObject(a at, r json.RawMessage) (map[string]json.RawMessage, error) {
	if missing(r) {
		return nil, nil
	}
	return object(a, r)
}

// array decodes a required JSON array of at most limit elements.
func array(a at, r json.RawMessage, limit int) ([]json.RawMessage, error) {
	if kind(r) != "array" {
		return nil, wrongType(a, "array", r)
	}
	s, err := splitArray(r, limit)
	if err != nil {
		return nil, invalid(a, "bad array: %v", err)
	}
	if len(s) > limit {
		return nil, invalid(a, "more elements than the limit of %d", limit)
	}
	return s, nil
}

// optArray decodes an array that may be absent or null (then nil).
func optArray(a at, r json.RawMessage, limit int) ([]json.RawMessage, error) {
	if missing(r) {
		return nil, nil
	}
	return array(a, r, limit)
}

// str decodes a required JSON string.
func str(a at, r json.RawMessage) (string, error) {
	if kind(r) != "string" {
		return "", wrongType(a, "string", r)
	}
	if plainString(r) {
		return string(r[1 : len(r)-1]), nil
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return "", invalid(a, "bad string: %v", err)
	}
	return s, nil
}

// optStr decodes a string that may be absent or null (then nil).
func optStr(a at, r json.RawMessage) (*string, error) {
	if missing(r) {
		return nil, nil
	}
	s, err := str(a, r)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// optStrValue is optStr with "" for absent or null.
func optStrValue(a at, r json.RawMessage) (string, error) {
	s, err := optStr(a, r)
	if s == nil || err != nil {
		return "", err
	}
	return *s, nil
}

// optBool decodes a boolean that may be absent or null (then nil).
func optBool(a at, r json.RawMessage) (*bool, error) {
	if missing(r) {
		return nil, nil
	}
	if kind(r) != "boolean" {
		return nil, wrongType(a, "boolean", r)
	}
	var b bool
	if err := json.Unmarshal(r, &b); err != nil {
		return nil, invalid(a, "bad boolean: %v", err)
	}
	return &b, nil
}

// optNumber decodes a finite number that may be absent or null (ok false).
func optNumber(a at, r json.RawMessage) (v float64, ok bool, err error) {
	if missing(r) {
		return 0, false, nil
	}
	if kind(r) != "number" {
		return 0, false, wrongType(a, "number", r)
	}
	if err := json.Unmarshal(r, &v); err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false, invalid(a, "number out of range")
	}
	return v, true, nil
}

// optInt decodes a non-negative integer that may be absent or null.
func optInt(a at, r json.RawMessage) (v int, ok bool, err error) {
	f, ok, err := optNumber(a, r)
	if !ok || err != nil {
		return 0, ok, err
	}
	if f != math.Trunc(f) || f < 0 || f > 1<<31 {
		return 0, false, invalid(a, "expected a non-negative integer, got %v", f)
	}
	return int(f), true, nil
}

// raw keeps a copy of a value as raw JSON (r aliases the caller's input);
// nil when absent or null.
func raw(r json.RawMessage) json.RawMessage {
	if missing(r) {
		return nil
	}
	return bytes.Clone(r)
}

// name decodes a required package name: a PEP 508 name, returned PEP 503 normalised.
func name(a at, r json.RawMessage) (string, error) {
	s, err := str(a, r)
	if err != nil {
		return "", err
	}
	return checkName(a, s)
}

func checkName(a at, s string) (string, error) {
	switch {
	case s == "":
		return "", invalid(a, "empty package name")
	case len(s) > MaxNameBytes:
		return "", invalid(a, "package name longer than %d bytes", MaxNameBytes)
	case !ValidName(s):
		return "", invalid(a, "%q is not a valid PEP 508 package name", s)
	}
	return python.NormalizeName(s), nil
}

// version decodes a required version string, trimmed: non-empty, at most
// MaxVersionBytes, without spaces or control characters. PEP 440 is not
// required: old releases predate it.
func version(a at, r json.RawMessage) (string, error) {
	s, err := str(a, r)
	if err != nil {
		return "", err
	}
	return checkVersion(a, s)
}

func checkVersion(a at, s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", invalid(a, "empty version")
	case len(s) > MaxVersionBytes:
		return "", invalid(a, "version longer than %d bytes", MaxVersionBytes)
	case !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return "", invalid(a, "%q is not a version", s)
	}
	return s, nil
}

// indexURL decodes an optional package index URL: "" when absent or null,
// else an absolute http(s) URL.
func indexURL(a at, r json.RawMessage) (string, error) {
	s, err := optStrValue(a, r)
	if err != nil || s == "" {
		return "", err
	}
	return checkURL(a, s)
}

func checkURL(a at, s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", invalid(a, "%q is not an http(s) index URL", s)
	}
	return s, nil
}

// strList decodes an optional array of strings (nil when absent or null).
func strList(a at, r json.RawMessage) ([]string, error) {
	items, err := optArray(a, r, MaxListItems)
	if err != nil || items == nil {
		return nil, err
	}
	base := a.String()
	out := make([]string, len(items))
	for i, it := range items {
		if out[i], err = str(elem(base, i), it); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// extraList decodes extras: absent, null, one string or an array of
// strings, each a valid name, returned normalised (PEP 685).
func extraList(a at, r json.RawMessage) ([]string, error) {
	if kind(r) == "string" {
		s, err := str(a, r)
		if err != nil {
			return nil, err
		}
		n, err := checkExtra(a, s)
		if err != nil {
			return nil, err
		}
		return []string{n}, nil
	}
	items, err := optArray(a, r, MaxListItems)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	base := a.String()
	out := make([]string, len(items))
	for i, it := range items {
		ea := elem(base, i)
		s, err := str(ea, it)
		if err != nil {
			return nil, err
		}
		if out[i], err = checkExtra(ea, s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func checkExtra(a at, s string) (string, error) {
	if len(s) > MaxNameBytes || !ValidName(s) {
		return "", invalid(a, "%q is not a valid extra name", s)
	}
	return python.NormalizeName(s), nil
}
