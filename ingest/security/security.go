// Package security parses Thoth's security-indicator documents (si-bandit,
// si-cloc and si-aggregator results) into what the store writes.
package security

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/persistence"
)

// The analyzers of the three parts, as metadata.analyzer names them.
const (
	analyzerBandit     = "thoth-si-bandit"
	analyzerCloc       = "thoth-si-cloc"
	analyzerAggregator = "si-aggregator"
)

// testFilter marks the files si-aggregator left out of its counts (tests).
const testFilter = "/test"

// Parse reads one security-indicator document: a folder of parts
// (security-indicators/<id>/bandit, cloc, aggregated; given as an object of
// file name to content), a single si-bandit, si-cloc or si-aggregator
// result, or si-aggregator's flattened aggregate without metadata. The
// counters come from bandit's report when there is one, with files below a
// /test path filtered out as si-aggregator did; from an aggregate alone
// they are read back with severity and confidence in their places
// (si-aggregator wrote each finding's confidence as its severity and the
// reverse). Unknown keys are ignored.
// Returns INVALID with the JSON path of the first problem.
func Parse(raw []byte) (*persistence.SecurityIndicator, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, invalid("", "not a JSON object: %v", err)
	}
	parts := map[string]json.RawMessage{}
	switch {
	case top["metadata"] != nil:
		var env envelope
		if err := json.Unmarshal(raw, &env); err != nil || env.Metadata == nil {
			return nil, invalid("metadata", "not an object")
		}
		switch env.Metadata.Analyzer {
		case analyzerBandit:
			parts["bandit"] = raw
		case analyzerCloc:
			parts["cloc"] = raw
		case analyzerAggregator:
			parts["aggregated"] = raw
		default:
			return nil, invalid("metadata.analyzer", "%q is not a security indicator (want %s, %s or %s)",
				env.Metadata.Analyzer, analyzerBandit, analyzerCloc, analyzerAggregator)
		}
	case top["package_name"] != nil:
		parts["aggregated"] = raw
	default:
		for name, v := range top {
			part := strings.TrimSuffix(name, ".json")
			if part == "bandit" || part == "cloc" || part == "aggregated" {
				parts[part] = v
			}
		}
		if len(parts) == 0 {
			return nil, invalid("", "neither a security indicator result (metadata) nor a folder of bandit, cloc and aggregated results")
		}
	}
	return fromParts(parts)
}

type envelope struct {
	Metadata *struct {
		Analyzer        string                    `json:"analyzer"`
		AnalyzerVersion string                    `json:"analyzer_version"`
		Arguments       map[string]map[string]any `json:"arguments"`
		Datetime        string                    `json:"datetime"`
	} `json:"metadata"`
	Result json.RawMessage `json:"result"`
}

// subject is the package version a part names.
type subject struct{ name, version, index string }

func fromParts(parts map[string]json.RawMessage) (*persistence.SecurityIndicator, error) {
	si := &persistence.SecurityIndicator{CountedFrom: "none"}
	var who *subject
	var whoAt string
	agree := func(s subject, at string) error {
		if s.name == "" || s.version == "" {
			return invalid(at, "package_name and package_version are required")
		}
		if who == nil {
			who, whoAt = &s, at
			return nil
		}
		if s.name != who.name || s.version != who.version {
			return invalid(at, "names %s %s, but %s names %s %s", s.name, s.version, whoAt, who.name, who.version)
		}
		return nil
	}
	var errs []string
	// The aggregate first, so that bandit's and cloc's own reports, when
	// present, replace what it says.
	if raw, ok := parts["aggregated"]; ok {
		flat, at, s, meta, err := aggregate(raw)
		if err != nil {
			return nil, err
		}
		if err := agree(s, at); err != nil {
			return nil, err
		}
		if bad, msg := failed(flat); bad {
			si.Error = true
			errs = append(errs, "si-aggregator: "+msg)
		} else if err := readAggregate(si, flat, at); err != nil {
			return nil, err
		}
		if meta != nil && si.AnalyzedAt == nil {
			si.AnalyzedAt = parseTime(meta.Datetime)
		}
	}
	for _, name := range []string{"bandit", "cloc"} {
		raw, ok := parts[name]
		if !ok {
			continue
		}
		var env envelope
		if err := json.Unmarshal(raw, &env); err != nil || env.Metadata == nil {
			return nil, invalid(name, "not a %s result with metadata", name)
		}
		at := name + ".metadata.arguments"
		if err := agree(argsSubject(env.Metadata.Arguments), at); err != nil {
			return nil, err
		}
		version := env.Metadata.AnalyzerVersion
		var res map[string]json.RawMessage
		if err := json.Unmarshal(env.Result, &res); err != nil {
			return nil, invalid(name+".result", "not an object")
		}
		if bad, msg := failed(res); bad {
			si.Error = true
			errs = append(errs, name+": "+msg)
			continue
		}
		var err error
		if name == "bandit" {
			si.BanditVersion = &version
			if t := parseTime(env.Metadata.Datetime); t != nil {
				si.AnalyzedAt = t
			}
			err = readBandit(si, env.Result)
		} else {
			si.ClocVersion = &version
			if si.AnalyzedAt == nil {
				si.AnalyzedAt = parseTime(env.Metadata.Datetime)
			}
			err = readCloc(si, res)
		}
		if err != nil {
			return nil, err
		}
	}
	if who == nil {
		return nil, invalid("", "no part names the package version analysed")
	}
	si.Name, si.Version, si.IndexURL = who.name, who.version, who.index
	if si.IndexURL == "" {
		si.IndexURL = "https://pypi.org/simple"
	}
	if len(errs) > 0 {
		msg := strings.Join(errs, "; ")
		si.ErrorMessage = &msg
	}
	return si, nil
}

// aggregate returns an aggregate's flat fields, the path they are at, the
// package version they name and, for a result with metadata, its metadata.
func aggregate(raw json.RawMessage) (map[string]json.RawMessage, string, subject, *struct {
	Analyzer        string                    `json:"analyzer"`
	AnalyzerVersion string                    `json:"analyzer_version"`
	Arguments       map[string]map[string]any `json:"arguments"`
	Datetime        string                    `json:"datetime"`
}, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, "aggregated", subject{}, nil, invalid("aggregated", "not an object")
	}
	at := "aggregated"
	var flat map[string]json.RawMessage
	var s subject
	var env envelope
	if top["metadata"] != nil {
		if err := json.Unmarshal(raw, &env); err != nil || env.Metadata == nil {
			return nil, at, s, nil, invalid("aggregated.metadata", "not an object")
		}
		at = "aggregated.result"
		if err := json.Unmarshal(env.Result, &flat); err != nil {
			return nil, at, s, nil, invalid(at, "not an object")
		}
		s = argsSubject(env.Metadata.Arguments)
	} else {
		flat = top
	}
	if s.name == "" {
		s = subject{name: str(flat["package_name"]), version: str(flat["package_version"]), index: str(flat["package_index"])}
	}
	return flat, at, s, env.Metadata, nil
}

// argsSubject reads package_name, _version and _index of the first
// argument set that has them.
func argsSubject(args map[string]map[string]any) subject {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		a := args[k]
		name, _ := a["package_name"].(string)
		version, _ := a["package_version"].(string)
		index, _ := a["package_index"].(string)
		if name != "" {
			return subject{name, version, index}
		}
	}
	return subject{}
}

// failed reports an analyzer's error result and its messages.
func failed(res map[string]json.RawMessage) (bool, string) {
	var bad bool
	if json.Unmarshal(res["error"], &bad) != nil || !bad {
		return false, ""
	}
	msg := strings.TrimSpace(string(res["error_messages"]))
	if msg == "" || msg == "null" {
		msg = "the analyzer reported an error"
	}
	return true, msg
}

type banditReport struct {
	Metrics map[string]json.RawMessage   `json:"metrics"`
	Results []map[string]json.RawMessage `json:"results"`
}

// banditFinding is one of bandit's results.
type banditFinding struct {
	Filename, IssueSeverity, IssueConfidence, TestID, TestName string
	MoreInfo                                                   *string
}

// finding reads result i of bandit's report, naming the field at fault.
func finding(i int, r map[string]json.RawMessage) (banditFinding, error) {
	var f banditFinding
	at := fmt.Sprintf("bandit.result.results[%d]", i)
	for _, field := range []struct {
		key      string
		into     *string
		required bool
	}{
		{"filename", &f.Filename, true}, {"issue_severity", &f.IssueSeverity, true},
		{"issue_confidence", &f.IssueConfidence, true}, {"test_id", &f.TestID, true}, {"test_name", &f.TestName, false},
	} {
		raw, ok := r[field.key]
		if !ok || string(raw) == "null" {
			if field.required {
				return f, invalid(at+"."+field.key, "missing")
			}
			continue
		}
		if err := json.Unmarshal(raw, field.into); err != nil {
			return f, invalid(at+"."+field.key, "%s is not a string", bytes.TrimSpace(raw))
		}
	}
	if raw, ok := r["more_info"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" {
			f.MoreInfo = &s
		}
	}
	return f, nil
}

// readBandit counts bandit's findings by severity and confidence in the
// files it analysed, leaving out files below a /test path.
func readBandit(si *persistence.SecurityIndicator, raw json.RawMessage) error {
	var r banditReport
	if err := json.Unmarshal(raw, &r); err != nil {
		return invalid("bandit.result", "%v", err)
	}
	if r.Metrics == nil {
		return invalid("bandit.result.metrics", "missing")
	}
	analyzed := map[string]bool{}
	filtered := 0
	for file := range r.Metrics {
		switch {
		case file == "_totals":
		case strings.Contains(file, testFilter):
			filtered++
		default:
			analyzed[file] = false
		}
	}
	si.Counts, si.SeverityUndefined = [3][4]int{}, 0
	tests := map[string]*persistence.SecurityFinding{}
	for i, raw := range r.Results {
		at := fmt.Sprintf("bandit.result.results[%d]", i)
		f, err := finding(i, raw)
		if err != nil {
			return err
		}
		if _, ok := analyzed[f.Filename]; !ok {
			continue // a filtered file, or one bandit has no metrics for
		}
		analyzed[f.Filename] = true
		sev, conf := level(f.IssueSeverity, persistence.Severities[:]), level(f.IssueConfidence, persistence.Confidences[:])
		if conf < 0 {
			return invalid(at+".issue_confidence", "%q is not a bandit confidence (LOW, MEDIUM, HIGH, UNDEFINED)", f.IssueConfidence)
		}
		t := tests[f.TestID]
		if t == nil {
			t = &persistence.SecurityFinding{TestID: f.TestID, TestName: f.TestName, MoreInfo: f.MoreInfo}
			tests[f.TestID] = t
		}
		t.Findings++
		switch sev {
		case -1:
			if !strings.EqualFold(f.IssueSeverity, "UNDEFINED") {
				return invalid(at+".issue_severity", "%q is not a bandit severity (LOW, MEDIUM, HIGH, UNDEFINED)", f.IssueSeverity)
			}
			si.SeverityUndefined++
			continue
		case 0:
			t.Low++
		case 1:
			t.Medium++
		case 2:
			t.High++
		}
		si.Counts[sev][conf]++
	}
	with := 0
	for _, hit := range analyzed {
		if hit {
			with++
		}
	}
	n, total := len(analyzed), len(analyzed)+filtered
	si.FilesAnalyzed, si.FilesFiltered, si.FilesTotal, si.FilesWithSeverities = &n, &filtered, &total, &with
	si.CountedFrom = "bandit"
	si.Findings = make([]persistence.SecurityFinding, 0, len(tests))
	for _, t := range tests {
		si.Findings = append(si.Findings, *t)
	}
	sort.Slice(si.Findings, func(i, j int) bool { return si.Findings[i].TestID < si.Findings[j].TestID })
	return nil
}

// level returns the index of s (any case) in levels, -1 when absent.
func level(s string, levels []string) int {
	for i, l := range levels {
		if strings.EqualFold(s, l) {
			return i
		}
	}
	return -1
}

type clocEntry struct {
	Blank   *int `json:"blank"`
	Code    *int `json:"code"`
	Comment *int `json:"comment"`
	NFiles  *int `json:"nFiles"`
}

// readCloc reads cloc's Python and SUM counts and its line total.
func readCloc(si *persistence.SecurityIndicator, res map[string]json.RawMessage) error {
	entry := func(name string) (*persistence.LineCounts, error) {
		raw, ok := res[name]
		if !ok {
			return &persistence.LineCounts{}, nil
		}
		var e clocEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, invalid("cloc.result."+name, "want an object of integers blank, code, comment, nFiles: %v", err)
		}
		return &persistence.LineCounts{Files: deref(e.NFiles), Code: deref(e.Code), Comments: deref(e.Comment), Blanks: deref(e.Blank)}, nil
	}
	var err error
	if si.Python, err = entry("Python"); err != nil {
		return err
	}
	if si.Total, err = entry("SUM"); err != nil {
		return err
	}
	var header struct {
		NLines *int `json:"n_lines"`
	}
	if raw, ok := res["header"]; ok {
		if err := json.Unmarshal(raw, &header); err != nil {
			return invalid("cloc.result.header.n_lines", "not an integer: %v", err)
		}
	}
	si.Total.Lines = header.NLines
	return nil
}

// readAggregate reads si-aggregator's flat counters, files and cloc counts.
func readAggregate(si *persistence.SecurityIndicator, flat map[string]json.RawMessage, at string) error {
	num := func(key string) (*int, error) {
		raw, ok := flat[key]
		if !ok || string(raw) == "null" {
			return nil, nil
		}
		var f float64
		if err := json.Unmarshal(raw, &f); err != nil || f < 0 || f != math.Trunc(f) || f > math.MaxInt32 {
			return nil, invalid(at+"."+key, "%s is not a count", bytes.TrimSpace(raw))
		}
		n := int(f)
		return &n, nil
	}
	// si-aggregator's key SEVERITY.<a>__CONFIDENCE.<b> counts the findings
	// of confidence <a> and severity <b>.
	for ci, conf := range persistence.Confidences[:3] {
		for _, sev := range []string{"LOW", "MEDIUM", "HIGH", "UNDEFINED"} {
			n, err := num("SEVERITY." + conf + "__CONFIDENCE." + sev)
			if err != nil {
				return err
			}
			switch s := level(sev, persistence.Severities[:]); {
			case n == nil:
			case s < 0:
				si.SeverityUndefined += *n
			default:
				si.Counts[s][ci] = *n
			}
		}
	}
	var err error
	for key, dst := range map[string]**int{
		"number_of_analyzed_files":        &si.FilesAnalyzed,
		"number_of_files_total":           &si.FilesTotal,
		"number_of_files_with_severities": &si.FilesWithSeverities,
		"number_of_filtered_files":        &si.FilesFiltered,
	} {
		if *dst, err = num(key); err != nil {
			return err
		}
	}
	counts := func(lang string) (*persistence.LineCounts, error) {
		var c [4]*int
		for i, f := range []string{"nFiles", "code", "comment", "blank"} {
			if c[i], err = num(lang + "." + f); err != nil {
				return nil, err
			}
		}
		if c[0] == nil && c[1] == nil {
			return nil, nil
		}
		return &persistence.LineCounts{Files: deref(c[0]), Code: deref(c[1]), Comments: deref(c[2]), Blanks: deref(c[3])}, nil
	}
	if si.Python, err = counts("Python"); err != nil {
		return err
	}
	if si.Total, err = counts("SUM"); err != nil {
		return err
	}
	if si.Total != nil {
		if si.Total.Lines, err = num("SUM.n_lines"); err != nil {
			return err
		}
	}
	si.CountedFrom = "aggregated"
	si.AnalyzedAt = parseTime(str(flat["datetime_si_bandit"]))
	if v := str(flat["analyzer_version_si_bandit"]); v != "" {
		si.BanditVersion = &v
	}
	if v := str(flat["analyzer_version_si_cloc"]); v != "" {
		si.ClocVersion = &v
	}
	return nil
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// str returns a JSON string's value, "" for anything else.
func str(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// parseTime reads Thoth's datetimes (RFC 3339, or without a zone: UTC).
func parseTime(s string) *time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02 15:04:05.999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

func invalid(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return persistence.Errorf(persistence.CodeInvalid, "invalid security indicator document: %s", msg)
}
