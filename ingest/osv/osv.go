// Package osv reads OSV vulnerability records (https://ossf.github.io/osv-schema/):
// the YAML files of the PyPA Advisory Database (vulns/<package>/<id>.yaml)
// and the JSON records of osv.dev (PyPI/all.zip). A YAML record is read into
// a generic value and encoded as JSON, so one decoder reads both and a record
// is stored as the same canonical JSON whichever form it came in. Only the
// affected entries of the PyPI ecosystem are decoded into python.Affected,
// which matches them to versions; the others stay in the raw record.
//
// It touches no database and imports only the standard library, python and a
// YAML parser.
package osv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// MaxRecordBytes is the largest record Parse accepts, and the most Walk reads
// of one file. The largest osv.dev PyPI records are well under a megabyte.
const MaxRecordBytes = 8 << 20

// EcosystemPyPI is the ecosystem (affected[].package.ecosystem) whose
// entries a Record keeps.
const EcosystemPyPI = "PyPI"

// Record is one parsed and validated OSV record.
type Record struct {
	// ID is the record's id ("PYSEC-2021-62", "GHSA-jfhm-5ghh-2f97").
	ID      string
	Aliases []string
	Summary string
	Details string
	// Severity is the record's top-level severity; the per-package
	// affected[].severity stays in Raw.
	Severity   []Severity
	References []Reference
	// Published is the zero time when the record does not say.
	Published time.Time
	Modified  time.Time
	// Withdrawn is nil unless the record has been withdrawn.
	Withdrawn *time.Time
	// Affected are the affected entries of the PyPI ecosystem, in record
	// order, their names PEP 503 normalised; entries of other ecosystems are
	// left out (a record may have none of PyPI).
	Affected []python.Affected
	// Raw is the whole record, unknown keys included, as canonical JSON:
	// object keys sorted, no insignificant white space, HTML characters not
	// escaped, numbers as written.
	Raw []byte
}

// Severity is a severity score of a record: Type "CVSS_V3", Score the
// vector "CVSS:3.1/AV:N/...".
type Severity struct {
	Type  string
	Score string
}

// Reference is a link of a record: Type "ADVISORY", "FIX", "WEB"...
type Reference struct {
	Type string
	URL  string
}

// ErrInvalid is the code of every refusal of Parse: errors.Is(err,
// ErrInvalid) holds for an *Error, which callers report as INVALID.
var ErrInvalid = errors.New("invalid OSV record")

// Error says why a record is invalid and where: Path is the path of the
// first problem, "id", "modified", "affected[2].ranges[0].type",
// "affected[0].ranges[1].events[3].fixed"; "" for the record as a whole
// (not JSON or YAML, not an object, too large).
type Error struct {
	Path    string
	Message string
}

// Error returns "path: message", or the message alone for the whole record.
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// Is makes every *Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

func invalid(at, format string, args ...any) error {
	return &Error{Path: at, Message: fmt.Sprintf(format, args...)}
}

// Parse parses and validates one OSV record, refusing it with an *Error for
// its first problem; a record is never accepted in part. Unknown keys are
// ignored (and kept in Record.Raw).
//
// name is the record's file name: one ending in ".json" is read as JSON, in
// ".yaml" or ".yml" as YAML; any other is read as JSON when its first
// character (after white space and a byte-order mark) is "{", else as YAML.
//
// Required: id, modified (RFC 3339); for a PyPI affected entry,
// package.name and valid ranges (see python.Affected.Validate). published and
// withdrawn, when present, are RFC 3339 too. A version in an event or in
// versions may be a string or a number (a YAML "1.10" written without
// quotes), kept as written. Every string field must have the JSON type its
// schema gives; null counts as absent.
func Parse(name string, raw []byte) (*Record, error) {
	if len(raw) > MaxRecordBytes {
		return nil, invalid("", "record is more than %d bytes", MaxRecordBytes)
	}
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	var (
		top any
		err error
	)
	if isJSON(name, raw) {
		top, err = decodeJSON(raw)
	} else {
		top, err = decodeYAML(raw)
	}
	if err != nil {
		return nil, err
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, invalid("", "expected an object, got %s", kind(top))
	}
	canon, err := encode(obj)
	if err != nil {
		return nil, err
	}
	rec, err := decodeRecord(obj)
	if err != nil {
		return nil, err
	}
	rec.Raw = canon
	return rec, nil
}

// isJSON says how Parse reads the record named name.
func isJSON(name string, raw []byte) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		return true
	case ".yaml", ".yml":
		return false
	}
	t := bytes.TrimLeft(raw, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// decodeJSON decodes one JSON value, numbers as json.Number.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if err == io.EOF {
			return nil, invalid("", "empty record")
		}
		return nil, invalid("", "invalid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalid("", "invalid JSON: data after the record")
	}
	return v, nil
}

// encode returns v as canonical JSON (see Record.Raw).
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, invalid("", "cannot encode as JSON: %v", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func decodeRecord(top map[string]any) (*Record, error) {
	r := &Record{}
	var err error
	if r.ID, err = requiredString(top["id"], "id"); err != nil {
		return nil, err
	}
	var set bool
	if r.Modified, set, err = timestamp(top["modified"], "modified"); err != nil {
		return nil, err
	} else if !set {
		return nil, invalid("modified", "missing")
	}
	if r.Published, _, err = timestamp(top["published"], "published"); err != nil {
		return nil, err
	}
	if w, set, err := timestamp(top["withdrawn"], "withdrawn"); err != nil {
		return nil, err
	} else if set {
		r.Withdrawn = &w
	}
	if r.Aliases, err = stringList(top["aliases"], "aliases"); err != nil {
		return nil, err
	}
	if r.Summary, err = optionalString(top["summary"], "summary"); err != nil {
		return nil, err
	}
	if r.Details, err = optionalString(top["details"], "details"); err != nil {
		return nil, err
	}
	if r.Severity, err = severities(top["severity"], "severity"); err != nil {
		return nil, err
	}
	entries, err := array(top["affected"], "affected")
	if err != nil {
		return nil, err
	}
	for i, e := range entries {
		a, ok, err := decodeAffected(e, "affected["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		if ok {
			r.Affected = append(r.Affected, a)
		}
	}
	refs, err := array(top["references"], "references")
	if err != nil {
		return nil, err
	}
	for i, v := range refs {
		at := "references[" + strconv.Itoa(i) + "]"
		o, err := object(v, at)
		if err != nil {
			return nil, err
		}
		var ref Reference
		if ref.Type, err = requiredString(o["type"], at+".type"); err != nil {
			return nil, err
		}
		if ref.URL, err = requiredString(o["url"], at+".url"); err != nil {
			return nil, err
		}
		r.References = append(r.References, ref)
	}
	return r, nil
}

func severities(v any, at string) ([]Severity, error) {
	list, err := array(v, at)
	if err != nil {
		return nil, err
	}
	var out []Severity
	for i, v := range list {
		sat := at + "[" + strconv.Itoa(i) + "]"
		o, err := object(v, sat)
		if err != nil {
			return nil, err
		}
		var s Severity
		if s.Type, err = requiredString(o["type"], sat+".type"); err != nil {
			return nil, err
		}
		if s.Score, err = requiredString(o["score"], sat+".score"); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// decodeAffected decodes the affected entry v at at; ok is false for an
// entry of another ecosystem, or of none (an entry without a package).
func decodeAffected(v any, at string) (a python.Affected, ok bool, err error) {
	entry, err := object(v, at)
	if err != nil {
		return a, false, err
	}
	if entry["package"] == nil {
		return a, false, nil
	}
	pkg, err := object(entry["package"], at+".package")
	if err != nil {
		return a, false, err
	}
	eco, err := requiredString(pkg["ecosystem"], at+".package.ecosystem")
	if err != nil || eco != EcosystemPyPI {
		return a, false, err
	}
	name, err := requiredString(pkg["name"], at+".package.name")
	if err != nil {
		return a, false, err
	}
	a.Name = python.NormalizeName(name)

	ranges, err := array(entry["ranges"], at+".ranges")
	if err != nil {
		return a, false, err
	}
	for i, v := range ranges {
		rat := at + ".ranges[" + strconv.Itoa(i) + "]"
		ro, err := object(v, rat)
		if err != nil {
			return a, false, err
		}
		var r python.Range
		if r.Type, err = optionalString(ro["type"], rat+".type"); err != nil {
			return a, false, err
		}
		if r.Repo, err = optionalString(ro["repo"], rat+".repo"); err != nil {
			return a, false, err
		}
		events, err := array(ro["events"], rat+".events")
		if err != nil {
			return a, false, err
		}
		for j, v := range events {
			eat := rat + ".events[" + strconv.Itoa(j) + "]"
			eo, err := object(v, eat)
			if err != nil {
				return a, false, err
			}
			var e python.Event
			for _, f := range [...]struct {
				key string
				dst *string
			}{
				{"introduced", &e.Introduced}, {"fixed", &e.Fixed}, {"last_affected", &e.LastAffected}, {"limit", &e.Limit},
			} {
				if eo[f.key] == nil {
					continue
				}
				if *f.dst, err = version(eo[f.key], eat+"."+f.key); err != nil {
					return a, false, err
				}
			}
			r.Events = append(r.Events, e)
		}
		a.Ranges = append(a.Ranges, r)
	}

	versions, err := array(entry["versions"], at+".versions")
	if err != nil {
		return a, false, err
	}
	if len(versions) > 0 {
		a.Versions = make([]string, len(versions))
	}
	for i, v := range versions {
		if a.Versions[i], err = version(v, at+".versions["+strconv.Itoa(i)+"]"); err != nil {
			return a, false, err
		}
	}

	if err := a.Validate(); err != nil {
		var fe *python.FieldError
		if errors.As(err, &fe) {
			return a, false, invalid(at+"."+fe.Path, "%s", fe.Message)
		}
		return a, false, invalid(at, "%v", err)
	}
	return a, true, nil
}
