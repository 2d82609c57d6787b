package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/seshat-graph/seshat/persistence"
)

// revsolverDocument is a thoth-revsolver result: the new release in the
// run's arguments, and the dependents it satisfies.
type revsolverDocument struct {
	Metadata *struct {
		Arguments map[string]map[string]any `json:"arguments"`
	} `json:"metadata"`
	Result []map[string]json.RawMessage `json:"result"`
}

// parseRevsolver reads a revsolver document; INVALID with the JSON path of
// the first problem. Unknown keys are ignored.
func parseRevsolver(raw []byte) (*persistence.RevsolverResult, error) {
	bad := func(path, format string, args ...any) error {
		return persistence.Errorf(persistence.CodeInvalid, "invalid revsolver document: %s: %s", path, fmt.Sprintf(format, args...))
	}
	var doc revsolverDocument
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, persistence.Errorf(persistence.CodeInvalid, "invalid revsolver document: %v", err)
	}
	if doc.Metadata == nil {
		return nil, bad("metadata", "required object is missing")
	}
	res := &persistence.RevsolverResult{}
	keys := make([]string, 0, len(doc.Metadata.Arguments))
	for k := range doc.Metadata.Arguments {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args := doc.Metadata.Arguments[k]
		name, _ := args["package_name"].(string)
		version, _ := args["package_version"].(string)
		if name != "" {
			res.Name, res.Version = name, version
			if version == "" {
				return nil, bad("metadata.arguments."+k+".package_version", "the new release's version is missing")
			}
			break
		}
	}
	if res.Name == "" {
		return nil, bad("metadata.arguments", "no package_name and package_version of the new release")
	}
	if doc.Result == nil {
		return nil, bad("result", "required array is missing")
	}
	for i, entry := range doc.Result {
		at := fmt.Sprintf("result[%d]", i)
		str := func(key string, required bool) (*string, error) {
			raw, ok := entry[key]
			if !ok || string(raw) == "null" {
				if required {
					return nil, bad(at+"."+key, "required")
				}
				return nil, nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, bad(at+"."+key, "%s is not a string", raw)
			}
			if required && s == "" {
				return nil, bad(at+"."+key, "empty")
			}
			return &s, nil
		}
		var e persistence.RevsolverEntry
		fields := []struct {
			key  string
			into *string
		}{{"os_name", &e.Environment.OSName}, {"os_version", &e.Environment.OSVersion}, {"python_version", &e.Environment.PythonVersion},
			{"package_name", &e.Name}, {"package_version", &e.Version}, {"index_url", &e.IndexURL}}
		for _, f := range fields {
			s, err := str(f.key, true)
			if err != nil {
				return nil, err
			}
			*f.into = *s
		}
		vr, err := str("version_range", false)
		if err != nil {
			return nil, err
		}
		if vr != nil {
			e.VersionRange = *vr
		}
		if e.Marker, err = str("marker", false); err != nil {
			return nil, err
		}
		if e.Extra, err = str("extra", false); err != nil {
			return nil, err
		}
		if err := persistence.ValidateEnvironment(e.Environment.Normalized()); err != nil {
			return nil, bad(at, "%s", persistence.ErrorMessage(err))
		}
		res.Entries = append(res.Entries, e)
	}
	return res, nil
}

// writeRevsolver writes a document of the revsolver kind.
func writeRevsolver(ctx context.Context, s *Service, ref persistence.DocumentRef, raw []byte, o writeOpts) (persistence.IngestOutcome, error) {
	res, err := parseRevsolver(raw)
	if err != nil {
		return persistence.IngestOutcome{}, err
	}
	if o.dryRun {
		return persistence.IngestOutcome{Status: persistence.StatusPending}, nil
	}
	return s.retrying(ctx, ref, func() (persistence.IngestOutcome, error) {
		return s.Store.IngestRevsolverResult(ctx, ref, res, o.force, !o.shared)
	})
}
