package runs

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// Provenance is one provenance check (thoth-adviser provenance) of a
// Pipfile and its lock.
type Provenance struct {
	ID                        string
	Analyzer, AnalyzerVersion string
	Deployment                string
	CheckedAt                 *time.Time
	Duration                  *float64 // seconds
	Debug                     bool
	Origin                    string
	Error                     bool
	ErrorMessage              string
	WhitelistedIndexes        []string // normalised
	Stack                     Stack
	Findings                  []Finding
}

// Finding is one entry of a check's report, numbered from 0 in report
// order.
type Finding struct {
	Number int
	// Type is ERROR, WARNING or INFO; Code the entry's id
	// (MISSING-PACKAGE, ARTIFACT-DIFFERENT-SOURCE, INVALID-ARTIFACT-HASH,
	// ...), "" for an entry without one (the error of a failed check).
	Type, Code, Justification string
	// The package the entry is about ("" for an entry about a source or
	// the lock): PEP 503 name, the version in PEP 440 normal form, the URL
	// of the source the entry names.
	PackageName, PackageVersion, IndexURL string
	Digest                                string
	Data                                  json.RawMessage // the whole entry
}

// ParseProvenance parses and validates a provenance-checker document. id is
// the document id ("" takes metadata.document_id). Returns a
// *ValidationError naming the JSON path of the first problem.
func ParseProvenance(id string, raw []byte) (*Provenance, error) {
	root, err := decode(raw)
	if err != nil {
		return nil, err
	}
	h, meta, err := parseHeader(root, id)
	if err != nil {
		return nil, err
	}
	c := &Provenance{ID: h.ID, Analyzer: h.Analyzer, AnalyzerVersion: h.AnalyzerVersion, Deployment: h.Deployment,
		Duration: h.Duration, Debug: h.Debug, WhitelistedIndexes: []string{}}
	if c.CheckedAt, err = optTime(meta, "metadata", "datetime"); err != nil {
		return nil, err
	}
	if h.Meta != nil {
		if c.Origin, err = optString(h.Meta, h.MetaAt, "origin"); err != nil {
			return nil, err
		}
	}
	const at = "result"
	res, err := requiredObject(root, "", at)
	if err != nil {
		return nil, err
	}
	e, err := optBool(res, at, "error")
	if err != nil {
		return nil, err
	}
	c.Error = e != nil && *e
	if c.ErrorMessage, err = optString(res, at, "error_msg"); err != nil {
		return nil, err
	}
	params, err := optObject(res, at, "parameters")
	if err != nil {
		return nil, err
	}
	if params != nil {
		pat := join(at, "parameters")
		idx, err := list(params, pat, "whitelisted_indexes")
		if err != nil {
			return nil, err
		}
		for i, v := range idx {
			s, err := str(v, index(join(pat, "whitelisted_indexes"), i))
			if err != nil {
				return nil, err
			}
			c.WhitelistedIndexes = append(c.WhitelistedIndexes, python.NormalizeIndexURL(s))
		}
		project, err := optObject(params, pat, "project")
		if err != nil {
			return nil, err
		}
		if project != nil {
			if c.Stack, err = projectStack(project, join(pat, "project")); err != nil {
				return nil, err
			}
		}
	}
	if res["report"] == nil {
		return c, nil
	}
	err = eachObject(res, at, "report", func(m map[string]any, p string) error {
		f, err := parseFinding(m, p)
		f.Number = len(c.Findings)
		c.Findings = append(c.Findings, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func parseFinding(m map[string]any, at string) (Finding, error) {
	f := Finding{Data: marshal(m)}
	var err error
	if f.Type, err = reqString(m, at, "type"); err != nil {
		return f, err
	}
	f.Type = strings.ToUpper(strings.TrimSpace(f.Type))
	if f.Code, err = optString(m, at, "id"); err != nil {
		return f, err
	}
	if f.Justification, err = optString(m, at, "justification"); err != nil {
		return f, err
	}
	name, err := optString(m, at, "package_name")
	if err != nil {
		return f, err
	}
	f.PackageName = python.NormalizeName(name)
	version, err := optString(m, at, "package_version")
	if err != nil {
		return f, err
	}
	_, f.PackageVersion = pinned(version)
	if version != "" && f.PackageVersion == "" {
		return f, invalid(join(at, "package_version"), "want a pinned version (==V), got %q", version)
	}
	if f.Digest, err = optString(m, at, "digest"); err != nil {
		return f, err
	}
	src, err := optObject(m, at, "source")
	if err != nil || src == nil {
		return f, err
	}
	url, err := reqString(src, join(at, "source"), "url")
	f.IndexURL = python.NormalizeIndexURL(url)
	return f, err
}
