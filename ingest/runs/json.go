package runs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The readers below take one value of a document decoded with UseNumber
// (objects map[string]any, arrays []any, numbers json.Number), so that a
// value of the wrong type is reported at its exact path. An absent key and
// null are the same to the optional readers.

// decode decodes raw as one JSON object.
func decode(raw []byte) (map[string]any, error) {
	if len(raw) > MaxDocumentBytes {
		return nil, &ValidationError{Message: fmt.Sprintf("document is %d bytes, larger than %d", len(raw), MaxDocumentBytes)}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &ValidationError{Message: "not JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, &ValidationError{Message: "not JSON: data after the document"}
	}
	return object(v, "")
}

func join(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

func index(base string, i int) string { return base + "[" + strconv.Itoa(i) + "]" }

func invalid(at, format string, args ...any) error {
	return &ValidationError{Path: at, Message: fmt.Sprintf(format, args...)}
}

// describe names the JSON type of v.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		if len(v) > 64 {
			v = v[:64] + "…"
		}
		return fmt.Sprintf("the string %q", v)
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + v.String()
	}
	return fmt.Sprintf("%T", v)
}

func object(v any, at string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		if at == "" {
			return nil, invalid(at, "the document is %s, want an object", describe(v))
		}
		return nil, invalid(at, "want an object, got %s", describe(v))
	}
	return m, nil
}

func requiredObject(m map[string]any, at, key string) (map[string]any, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, invalid(join(at, key), "required object is missing")
	}
	return object(v, join(at, key))
}

// optObject returns nil for an absent or null key.
func optObject(m map[string]any, at, key string) (map[string]any, error) {
	v := m[key]
	if v == nil {
		return nil, nil
	}
	return object(v, join(at, key))
}

func str(v any, at string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", invalid(at, "want a string, got %s", describe(v))
	}
	if len(s) > MaxStringBytes {
		return "", invalid(at, "string of %d bytes, longer than %d", len(s), MaxStringBytes)
	}
	if !utf8.ValidString(s) {
		return "", invalid(at, "string is not valid UTF-8")
	}
	return s, nil
}

// optString reads an optional string: "" when absent or null.
func optString(m map[string]any, at, key string) (string, error) {
	v := m[key]
	if v == nil {
		return "", nil
	}
	return str(v, join(at, key))
}

// reqString reads a required, non-empty string.
func reqString(m map[string]any, at, key string) (string, error) {
	if m[key] == nil {
		return "", invalid(join(at, key), "required string is missing")
	}
	s, err := str(m[key], join(at, key))
	if err == nil && strings.TrimSpace(s) == "" {
		return "", invalid(join(at, key), "required string is empty")
	}
	return s, err
}

func optBool(m map[string]any, at, key string) (*bool, error) {
	v := m[key]
	if v == nil {
		return nil, nil
	}
	b, ok := v.(bool)
	if !ok {
		return nil, invalid(join(at, key), "want a boolean, got %s", describe(v))
	}
	return &b, nil
}

func optInt(m map[string]any, at, key string) (*int, error) {
	v := m[key]
	if v == nil {
		return nil, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return nil, invalid(join(at, key), "want an integer, got %s", describe(v))
	}
	i, err := strconv.ParseInt(n.String(), 10, 32)
	if err != nil {
		return nil, invalid(join(at, key), "want a 32-bit integer, got %s", n)
	}
	x := int(i)
	return &x, nil
}

func optInt64(m map[string]any, at, key string) (*int64, error) {
	v := m[key]
	if v == nil {
		return nil, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return nil, invalid(join(at, key), "want an integer, got %s", describe(v))
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return nil, invalid(join(at, key), "want a 64-bit integer, got %s", n)
	}
	return &i, nil
}

func optFloat(m map[string]any, at, key string) (*float64, error) {
	v := m[key]
	if v == nil {
		return nil, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return nil, invalid(join(at, key), "want a number, got %s", describe(v))
	}
	f, err := n.Float64()
	if err != nil {
		return nil, invalid(join(at, key), "want a finite number, got %s", n)
	}
	return &f, nil
}

func list(m map[string]any, at, key string) ([]any, error) {
	v := m[key]
	if v == nil {
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, invalid(join(at, key), "want an array, got %s", describe(v))
	}
	if len(a) > MaxListItems {
		return nil, invalid(join(at, key), "more than %d items", MaxListItems)
	}
	return a, nil
}

// eachObject calls fn with every element of an optional array of objects
// and its path.
func eachObject(m map[string]any, at, key string, fn func(map[string]any, string) error) error {
	a, err := list(m, at, key)
	if err != nil {
		return err
	}
	for i, v := range a {
		p := index(join(at, key), i)
		o, err := object(v, p)
		if err != nil {
			return err
		}
		if err := fn(o, p); err != nil {
			return err
		}
	}
	return nil
}

// optTime reads an optional ISO 8601 date and time (UTC when it names no
// zone, as Thoth wrote them).
func optTime(m map[string]any, at, key string) (*time.Time, error) {
	s, err := optString(m, at, key)
	if err != nil || s == "" {
		return nil, err
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, invalid(join(at, key), "want an ISO 8601 date and time, got %q", s)
}

// rawJSON encodes a decoded value again (numbers as written); nil for null.
func rawJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil { // decoded JSON always encodes
		return nil
	}
	return raw
}
