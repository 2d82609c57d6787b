package solver

import (
	"bytes"
	"encoding/json"
	"errors"
)

// splitObject and splitArray cut one level of a JSON value into its members
// without copying them: the members alias the input. Parse checks the whole
// document with json.Valid first, so these only find boundaries (a tight
// loop) instead of decoding every level again; the bounds checks are there
// so that invalid input errs instead of panicking.

var errMalformed = errors.New("malformed JSON")

// splitObject returns the members of the JSON object b; the last of
// duplicate keys wins, as with encoding/json.
func splitObject(b []byte) (map[string]json.RawMessage, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, errMalformed
	}
	m := make(map[string]json.RawMessage)
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return m, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, errMalformed
		}
		end := stringEnd(b, i)
		if end < 0 {
			return nil, errMalformed
		}
		key, err := decodeString(b[i:end])
		if err != nil {
			return nil, err
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return nil, errMalformed
		}
		i = skipSpace(b, i+1)
		end = valueEnd(b, i)
		if end < 0 {
			return nil, errMalformed
		}
		m[key] = b[i:end:end]
		i = skipSpace(b, end)
		if i >= len(b) {
			return nil, errMalformed
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return m, nil
		default:
			return nil, errMalformed
		}
	}
}

// splitArray returns the elements of the JSON array b, stopping after
// limit+1 of them (the caller reports the excess).
func splitArray(b []byte, limit int) ([]json.RawMessage, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return nil, errMalformed
	}
	var out []json.RawMessage
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return []json.RawMessage{}, nil
	}
	for {
		end := valueEnd(b, i)
		if end < 0 {
			return nil, errMalformed
		}
		out = append(out, b[i:end:end])
		if len(out) > limit {
			return out, nil
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return nil, errMalformed
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return out, nil
		default:
			return nil, errMalformed
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] == '"',
// or -1.
func stringEnd(b []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		// The quote is escaped when an odd number of backslashes precede it.
		n := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
		j++
	}
}

// valueEnd returns the index just past the JSON value starting at b[i], or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end := stringEnd(b, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default: // number, true, false, null
		j := i
		for j < len(b) {
			switch b[j] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return j
			}
			j++
		}
		return j
	}
}

// plainString reports whether the JSON string literal r needs no decoding:
// no escapes and only ASCII (encoding/json would replace invalid UTF-8).
func plainString(r []byte) bool {
	if len(r) < 2 {
		return false
	}
	for _, c := range r[1 : len(r)-1] {
		if c == '\\' || c >= 0x80 || c < 0x20 {
			return false
		}
	}
	return true
}

func decodeString(r []byte) (string, error) {
	if plainString(r) {
		return string(r[1 : len(r)-1]), nil
	}
	var s string
	err := json.Unmarshal(r, &s)
	return s, err
}
