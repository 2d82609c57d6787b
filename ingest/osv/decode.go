package osv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The helpers below read a JSON value decoded into any (objects as
// map[string]any, numbers as json.Number), reporting a value of the wrong
// type at its path. A nil value is an absent key or null.

// kind names the JSON type of v.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}

// object returns v as an object; null is refused too.
func object(v any, at string) (map[string]any, error) {
	o, ok := v.(map[string]any)
	if !ok {
		return nil, invalid(at, "expected an object, got %s", kind(v))
	}
	return o, nil
}

// array returns v as an array; nil when absent.
func array(v any, at string) ([]any, error) {
	if v == nil {
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, invalid(at, "expected an array, got %s", kind(v))
	}
	return a, nil
}

// optionalString returns v as written; "" when absent.
func optionalString(v any, at string) (string, error) {
	if v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", invalid(at, "expected a string, got %s", kind(v))
	}
	return s, nil
}

// requiredString returns v without surrounding white space, refusing an
// absent or blank value.
func requiredString(v any, at string) (string, error) {
	if v == nil {
		return "", invalid(at, "missing")
	}
	s, err := optionalString(v, at)
	if err != nil {
		return "", err
	}
	if s = strings.TrimSpace(s); s == "" {
		return "", invalid(at, "empty")
	}
	return s, nil
}

// stringList returns an array of strings; nil when absent.
func stringList(v any, at string) ([]string, error) {
	list, err := array(v, at)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, invalid(at+"["+strconv.Itoa(i)+"]", "expected a string, got %s", kind(e))
		}
		out[i] = s
	}
	return out, nil
}

// version returns a version string, or the literal of a number (a YAML
// 1.10 written without quotes stays "1.10"), without surrounding white space.
func version(v any, at string) (string, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = string(x)
	default:
		return "", invalid(at, "expected a version string, got %s", kind(v))
	}
	if s == "" {
		return "", invalid(at, "empty")
	}
	return s, nil
}

// timestamp returns an RFC 3339 time in UTC; set is false when absent.
func timestamp(v any, at string) (t time.Time, set bool, err error) {
	if v == nil {
		return time.Time{}, false, nil
	}
	s, err := optionalString(v, at)
	if err != nil {
		return time.Time{}, false, err
	}
	t, err = time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, false, invalid(at, "%q is not an RFC 3339 time", s)
	}
	return t.UTC(), true, nil
}

// maxAliased bounds the nodes a YAML record may repeat through aliases
// (records have none; a record of nested aliases could otherwise expand to
// gigabytes).
const maxAliased = 10000

// decodeYAML reads a YAML record into the value decodeJSON would give for
// the same record in JSON: scalars keep their text (a timestamp stays the
// string written, 1.10 stays json.Number("1.10")), so that nothing is lost
// or re-spelt on the way. It refuses several documents, duplicate keys, keys
// that are not scalars and merge keys.
func decodeYAML(raw []byte) (any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, invalid("", "empty record")
		}
		return nil, invalid("", "invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, invalid("", "invalid YAML: more than one document")
	}
	c := &converter{}
	return c.value(&doc, "")
}

type converter struct {
	aliased int // nodes converted through an alias
	inAlias int
}

func (c *converter) value(n *yaml.Node, at string) (any, error) {
	if c.inAlias > 0 {
		if c.aliased++; c.aliased > maxAliased {
			return nil, invalid(at, "more than %d nodes repeated through aliases", maxAliased)
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, invalid("", "empty record")
		}
		return c.value(n.Content[0], at)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, invalid(at, "unknown alias %q (line %d)", n.Value, n.Line)
		}
		c.inAlias++
		defer func() { c.inAlias-- }()
		return c.value(n.Alias, at)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, e := range n.Content {
			v, err := c.value(e, at+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return nil, invalid(at, "a key that is not a string (line %d)", k.Line)
			}
			if k.ShortTag() == "!!merge" {
				return nil, invalid(at, "merge keys (<<) are not supported (line %d)", k.Line)
			}
			kat := k.Value
			if at != "" {
				kat = at + "." + k.Value
			}
			if _, dup := out[k.Value]; dup {
				return nil, invalid(kat, "duplicate key (line %d)", k.Line)
			}
			val, err := c.value(v, kat)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		return out, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, invalid(at, "unexpected YAML node (line %d)", n.Line)
}

func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return n.Value, nil
		}
		return b, nil
	case "!!int", "!!float":
		// A number JSON can spell stays a number; 0x1F, .5, .inf do not.
		if json.Valid([]byte(n.Value)) {
			return json.Number(n.Value), nil
		}
	}
	return n.Value, nil
}
