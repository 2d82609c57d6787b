package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/seshat-graph/seshat/python"
)

// Advisories of the sample data: invented OSV records (ids PYSEC-SAMPLE-*,
// aliases CVE-SAMPLE-*, references on example.org) for a few packages the
// root reaches, with ECOSYSTEM ranges over the packages' generated releases,
// so that `make run` and the browser tests show vulnerable nodes. One has a
// fix inside the releases (the older ones are affected, fixedIn set), one
// an affected interval, one no fix at all, and one is withdrawn (it must
// match nothing).

// osvRecord is the part of the OSV schema (1.6) the advisories use.
type osvRecord struct {
	SchemaVersion string        `json:"schema_version"`
	ID            string        `json:"id"`
	Modified      string        `json:"modified"`
	Published     string        `json:"published"`
	Withdrawn     string        `json:"withdrawn,omitempty"`
	Aliases       []string      `json:"aliases"`
	Summary       string        `json:"summary"`
	Details       string        `json:"details"`
	Severity      []osvSeverity `json:"severity,omitempty"`
	Affected      []osvAffected `json:"affected"`
	References    []osvRef      `json:"references,omitempty"`
}

type osvSeverity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type osvAffected struct {
	Package  osvPackage `json:"package"`
	Ranges   []osvRange `json:"ranges"`
	Versions []string   `json:"versions"`
}

type osvPackage struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Purl      string `json:"purl"`
}

type osvRange struct {
	Type   string              `json:"type"`
	Events []map[string]string `json:"events"`
}

type osvRef struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// advisory describes one sample record: which final releases of the
// package (oldest first) it affects, from index from up to, not including,
// fix (fix == len: no fix).
type advisory struct {
	pkg, summary, details string
	from                  int
	fix                   func(n int) int
	withdrawn             bool
	score                 string
	reference             bool
}

var sampleAdvisories = []advisory{
	{pkg: "urllib3", summary: "Sample: CRLF injection in the request target",
		details: "Invented for the sample data. Releases before the fix let a crafted URL inject headers.",
		fix:     func(n int) int { return n / 2 }, score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", reference: true},
	{pkg: "requests", summary: "Sample: Proxy-Authorization header leaked on redirect",
		details: "Invented for the sample data. An interval of releases forwards proxy credentials to the redirect target.",
		from:    1, fix: func(n int) int { return n - 1 }, score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N", reference: true},
	{pkg: "PyYAML", summary: "Sample: arbitrary code execution in full_load",
		details: "Invented for the sample data. No fixed release exists yet.",
		fix:     func(n int) int { return n }, score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
	{pkg: "six", summary: "Sample: withdrawn report",
		details: "Invented for the sample data. Withdrawn: it matches no release.",
		fix:     func(n int) int { return n }, withdrawn: true},
}

// Advisories makes the sample OSV records of opts (the same for every size
// and seed of the same packages: the releases are those Generate writes)
// and passes each to emit with its OSV id, in id order. A package the
// dataset does not have is left out.
func Advisories(opts Options, emit func(id string, doc []byte) error) (int, error) {
	p, ok := plans[opts.Size]
	if !ok {
		_, err := ParseSize(string(opts.Size))
		return 0, err
	}
	w := newWorld(p, opts.Seed)
	n := 0
	for k, a := range sampleAdvisories {
		i, ok := w.byNorm[python.NormalizeName(a.pkg)]
		if !ok {
			continue
		}
		finals := finalReleases(w.pkgs[i])
		if len(finals) < 2 {
			continue
		}
		id := fmt.Sprintf("PYSEC-SAMPLE-%04d", k+1)
		fix := a.fix(len(finals))
		from := min(a.from, fix-1)
		events := []map[string]string{{"introduced": "0"}}
		if from > 0 {
			events[0]["introduced"] = finals[from]
		}
		if fix < len(finals) {
			events = append(events, map[string]string{"fixed": finals[fix]})
		}
		norm := python.NormalizeName(a.pkg)
		rec := osvRecord{
			SchemaVersion: "1.6.0", ID: id,
			Modified:  fmt.Sprintf("2024-0%d-15T00:00:00Z", 2+k),
			Published: fmt.Sprintf("2024-0%d-01T00:00:00Z", 1+k),
			Aliases:   []string{fmt.Sprintf("CVE-SAMPLE-%04d", k+1)},
			Summary:   a.summary, Details: a.details,
			Affected: []osvAffected{{
				Package:  osvPackage{Ecosystem: "PyPI", Name: a.pkg, Purl: "pkg:pypi/" + norm},
				Ranges:   []osvRange{{Type: "ECOSYSTEM", Events: events}},
				Versions: slices.Clone(finals[from:fix]),
			}},
		}
		if a.withdrawn {
			rec.Withdrawn = fmt.Sprintf("2024-0%d-20T00:00:00Z", 2+k)
		}
		if a.score != "" {
			rec.Severity = []osvSeverity{{Type: "CVSS_V3", Score: a.score}}
		}
		if a.reference {
			rec.References = []osvRef{{Type: "ADVISORY", URL: "https://example.org/advisories/" + id}}
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rec); err != nil {
			return n, err
		}
		if err := emit(id, buf.Bytes()); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// finalReleases returns pk's final releases, oldest first per PEP 440.
func finalReleases(pk *pkg) []string {
	type rv struct {
		s string
		v python.Version
	}
	var vs []rv
	for _, r := range pk.releases {
		if r.pre {
			continue
		}
		v, err := python.ParseVersion(r.version)
		if err != nil {
			continue
		}
		vs = append(vs, rv{r.version, v})
	}
	slices.SortFunc(vs, func(a, b rv) int { return a.v.Compare(b.v) })
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.s
	}
	return out
}
