package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Digest is a document's content identity, the one put, sync and
// ingestDocument share: the SHA-256 of its canonical JSON (see Canonical),
// hex-encoded. The same document as a file, as the object put stored and as
// the JSON value ingestDocument received (which reaches the gateway decoded,
// its bytes gone) has one digest. Raw that is not JSON is hashed as it is.
func Digest(raw []byte) string {
	c, err := Canonical(raw)
	if err != nil {
		c = raw
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:])
}

// Canonical returns the canonical form of a JSON document: no whitespace
// between tokens; object members sorted by key (bytes of the decoded key),
// of members with the same key only the last (as a decoder into a map keeps
// it); strings decoded as encoding/json decodes them (invalid UTF-8 and lone
// surrogates become U+FFFD) and written with only '"', '\' and control
// characters escaped; integers as written ("-0" is "0"), other numbers as
// the shortest text of their float64 (an integral one below 2^53 as an
// integer: "1.0" and "1e0" are "1"), or as written when out of range.
// The error is for raw that is not JSON.
func Canonical(raw []byte) ([]byte, error) {
	if !json.Valid(raw) {
		return nil, fmt.Errorf("not valid JSON")
	}
	c := canonicalizer{in: raw, out: make([]byte, 0, len(raw))}
	c.value()
	return c.out, nil
}

// canonicalizer rewrites JSON already checked by json.Valid, so it meets
// only well-formed input.
type canonicalizer struct {
	in      []byte
	pos     int
	out     []byte
	scratch []byte // a copy of the members of an object being sorted
}

func (c *canonicalizer) skipSpace() {
	for c.pos < len(c.in) {
		switch c.in[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

func (c *canonicalizer) value() {
	c.skipSpace()
	switch b := c.in[c.pos]; {
	case b == '{':
		c.object()
	case b == '[':
		c.pos++
		c.out = append(c.out, '[')
		c.skipSpace()
		if c.in[c.pos] == ']' {
			c.pos++
			c.out = append(c.out, ']')
			return
		}
		for {
			c.value()
			c.skipSpace()
			if c.in[c.pos] == ']' {
				c.pos++
				c.out = append(c.out, ']')
				return
			}
			c.pos++ // ','
			c.out = append(c.out, ',')
		}
	case b == '"':
		c.out = appendString(c.out, c.str())
	case b == 't':
		c.pos += 4
		c.out = append(c.out, "true"...)
	case b == 'f':
		c.pos += 5
		c.out = append(c.out, "false"...)
	case b == 'n':
		c.pos += 4
		c.out = append(c.out, "null"...)
	default:
		c.number()
	}
}

// member is one "key":value of an object, at out[start:end].
type member struct {
	key        []byte
	start, end int
}

func (c *canonicalizer) object() {
	c.pos++
	c.out = append(c.out, '{')
	base := len(c.out)
	c.skipSpace()
	if c.in[c.pos] == '}' {
		c.pos++
		c.out = append(c.out, '}')
		return
	}
	var members []member
	sorted := true
	for {
		c.skipSpace()
		key := c.str()
		start := len(c.out)
		c.out = appendString(c.out, key)
		c.out = append(c.out, ':')
		c.skipSpace()
		c.pos++ // ':'
		c.value()
		if n := len(members); n > 0 && bytes.Compare(members[n-1].key, key) >= 0 {
			sorted = false
		}
		members = append(members, member{key, start, len(c.out)})
		c.skipSpace()
		if c.in[c.pos] == '}' {
			c.pos++
			break
		}
		c.pos++ // ','
		c.out = append(c.out, ',')
	}
	if !sorted {
		// Stable, so that of equal keys the last one read ends a run.
		slices.SortStableFunc(members, func(a, b member) int { return bytes.Compare(a.key, b.key) })
		c.scratch = append(c.scratch[:0], c.out[base:]...)
		c.out = c.out[:base]
		for i, m := range members {
			if i+1 < len(members) && bytes.Equal(members[i+1].key, m.key) {
				continue
			}
			if len(c.out) > base {
				c.out = append(c.out, ',')
			}
			c.out = append(c.out, c.scratch[m.start-base:m.end-base]...)
		}
	}
	c.out = append(c.out, '}')
}

// str reads a string token and returns its decoded value: a slice of the
// input when it holds no escape and is valid UTF-8, so that most strings
// cost no copy.
func (c *canonicalizer) str() []byte {
	c.pos++ // '"'
	start := c.pos
	escaped, high := false, false
	for {
		b := c.in[c.pos]
		if b == '"' {
			break
		}
		if b == '\\' {
			escaped = true
			c.pos += 2
			continue
		}
		high = high || b >= utf8.RuneSelf
		c.pos++
	}
	s := c.in[start:c.pos]
	c.pos++
	if !escaped && (!high || utf8.Valid(s)) {
		return s
	}
	return decodeString(s)
}

// decodeString decodes the body of a JSON string as encoding/json does.
func decodeString(s []byte) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		b := s[i]
		if b == '\\' {
			switch s[i+1] {
			case 'u':
				r := hex4(s[i+2 : i+6])
				i += 6
				if utf16.IsSurrogate(r) {
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if r2 := utf16.DecodeRune(r, hex4(s[i+2:i+6])); r2 != utf8.RuneError {
							out = utf8.AppendRune(out, r2)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
				continue
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			default: // '"', '\\', '/'
				out = append(out, s[i+1])
			}
			i += 2
			continue
		}
		if b < utf8.RuneSelf {
			out = append(out, b)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		out = utf8.AppendRune(out, r) // RuneError for invalid bytes, as encoding/json
		i += size
	}
	return out
}

func hex4(s []byte) rune {
	var r rune
	for _, b := range s {
		switch {
		case b >= '0' && b <= '9':
			b -= '0'
		case b >= 'a' && b <= 'f':
			b -= 'a' - 10
		default:
			b -= 'A' - 10
		}
		r = r<<4 | rune(b)
	}
	return r
}

// appendString writes s as a canonical JSON string.
func appendString(out, s []byte) []byte {
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b == '"' || b == '\\':
			out = append(out, '\\', b)
		case b == '\n':
			out = append(out, '\\', 'n')
		case b == '\r':
			out = append(out, '\\', 'r')
		case b == '\t':
			out = append(out, '\\', 't')
		case b < 0x20:
			out = append(out, '\\', 'u', '0', '0', "0123456789abcdef"[b>>4], "0123456789abcdef"[b&0xf])
		default:
			out = append(out, b)
		}
	}
	return append(out, '"')
}

func (c *canonicalizer) number() {
	start := c.pos
	integer := true
	for c.pos < len(c.in) {
		b := c.in[c.pos]
		if b == '.' || b == 'e' || b == 'E' {
			integer = false
		} else if !(b >= '0' && b <= '9' || b == '-' || b == '+') {
			break
		}
		c.pos++
	}
	lit := c.in[start:c.pos]
	if integer {
		if bytes.Equal(lit, []byte("-0")) {
			lit = lit[1:]
		}
		c.out = append(c.out, lit...)
		return
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	switch {
	case err != nil: // out of float64's range: as written
		c.out = append(c.out, lit...)
	case f == math.Trunc(f) && math.Abs(f) < 1<<53:
		c.out = strconv.AppendInt(c.out, int64(f), 10)
	default:
		c.out = strconv.AppendFloat(c.out, f, 'g', -1, 64)
	}
}
