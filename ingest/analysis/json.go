package analysis

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The helpers below read one value of a document decoded with UseNumber
// (objects map[string]any, arrays []any, numbers json.Number), so that a
// value of the wrong type is reported at its exact path. An absent key and
// null are the same to the optional readers.

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
		return fmt.Sprintf("the string %q", truncate(v))
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + v.String()
	}
	return fmt.Sprintf("%T", v)
}

func truncate(s string) string {
	if len(s) <= 64 {
		return s
	}
	return s[:64] + "…"
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
	if !ok {
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

func checkString(s, at string) error {
	if len(s) > MaxStringBytes {
		return invalid(at, "string of %d bytes, longer than %d", len(s), MaxStringBytes)
	}
	if !utf8.ValidString(s) {
		return invalid(at, "string is not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return invalid(at, "string contains a NUL character")
	}
	return nil
}

// within checks that s, read at at, is at most max bytes long.
func within(s, at string, max int) error {
	if len(s) > max {
		return invalid(at, "%d bytes, longer than %d", len(s), max)
	}
	return nil
}

// short checks the values of keys of m, strings read before, against
// MaxNameBytes.
func short(m map[string]any, at string, keys ...string) error {
	for _, k := range keys {
		if s, ok := m[k].(string); ok {
			if err := within(s, join(at, k), MaxNameBytes); err != nil {
				return err
			}
		}
	}
	return nil
}

// long checks the values of keys of m, strings read before, against
// MaxPathBytes.
func long(m map[string]any, at string, keys ...string) error {
	for _, k := range keys {
		if s, ok := m[k].(string); ok {
			if err := within(s, join(at, k), MaxPathBytes); err != nil {
				return err
			}
		}
	}
	return nil
}

func str(v any, at string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", invalid(at, "want a string, got %s", describe(v))
	}
	return s, checkString(s, at)
}

// reqString reads a required, non-empty string.
func reqString(m map[string]any, at, key string) (string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", invalid(join(at, key), "required string is missing")
	}
	s, err := str(v, join(at, key))
	if err == nil && s == "" {
		return "", invalid(join(at, key), "required string is empty")
	}
	return s, err
}

// optString reads an optional string: "" when absent or null.
func optString(m map[string]any, at, key string) (string, error) {
	v := m[key]
	if v == nil {
		return "", nil
	}
	return str(v, join(at, key))
}

// nullableString reads an optional string: nil when absent or null.
func nullableString(m map[string]any, at, key string) (*string, error) {
	v := m[key]
	if v == nil {
		return nil, nil
	}
	s, err := str(v, join(at, key))
	if err != nil {
		return nil, err
	}
	return &s, nil
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

// stringList reads an optional array of strings.
func stringList(m map[string]any, at, key string) ([]string, error) {
	a, err := list(m, at, key)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(a))
	for i, v := range a {
		if out[i], err = str(v, index(join(at, key), i)); err != nil {
			return nil, err
		}
	}
	return out, nil
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
