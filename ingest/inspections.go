package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/seshat-graph/seshat/ingest/inspection"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
	"github.com/seshat-graph/seshat/python"
)

// readDocument reads the document at key. A document of a
// folder-per-document kind (inspections/<id>/...) is every object of its
// folder, read as one JSON object of its files by path below the folder
// ({"build/specification": {...}, "results/0/result": {...}}; a file that
// is not JSON is a JSON string), so its Digest covers all of them and a new
// result changes it; a folder holding no objects is the one object at its
// key (the 2019-2020 single inspection document).
func (s *Service) readDocument(ctx context.Context, key string) ([]byte, error) {
	folder := objectstore.DocumentFolder(key)
	if folder == "" {
		return s.Docs.Get(ctx, key)
	}
	files := map[string]json.RawMessage{}
	err := s.Docs.List(ctx, folder+"/", func(o objectstore.Object) error {
		data, err := s.Docs.Get(ctx, o.Key)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(o.Key, folder+"/")
		if json.Valid(data) {
			files[name] = data
			return nil
		}
		if !utf8.Valid(data) {
			data = []byte(strings.ToValidUTF8(string(data), "\uFFFD"))
		}
		str, _ := json.Marshal(string(data))
		files[name] = str
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return s.Docs.Get(ctx, folder)
	}
	return json.Marshal(files)
}

func writeInspection(ctx context.Context, s *Service, ref persistence.DocumentRef, raw []byte, o writeOpts) (persistence.IngestOutcome, error) {
	doc, err := inspection.Parse(ref.ID, raw)
	if err != nil {
		var ve *inspection.ValidationError
		if errors.As(err, &ve) {
			return persistence.IngestOutcome{}, persistence.Errorf(persistence.CodeInvalid, "invalid inspection document: %s", ve.Error())
		}
		return persistence.IngestOutcome{}, err
	}
	if o.dryRun {
		return persistence.IngestOutcome{Status: persistence.StatusPending}, nil
	}
	rec := InspectionRecord(doc)
	return s.retrying(ctx, ref, func() (persistence.IngestOutcome, error) {
		return s.Store.IngestInspection(ctx, ref, rec, o.force, o.shared)
	})
}

// InspectionRecord maps a parsed inspection to the facts the store writes:
// the specification and its stack, and per result its environment (when
// the result names OS, OS version and Python), hardware and indicator.
func InspectionRecord(doc *inspection.Document) *persistence.InspectionRecord {
	rec := &persistence.InspectionRecord{}
	if sp := doc.Specification; sp != nil {
		spec := &persistence.InspectionSpec{
			Identifier: sp.Identifier, BaseImage: sp.Base, Script: sp.Script, Created: sp.Created,
			BuildRequests: sp.BuildRequests, RunRequests: sp.RunRequests, HardwareRequested: sp.HardwareRequested,
			Raw: sp.Raw,
		}
		for _, r := range sp.Requirements {
			req := persistence.InspectionRequirement{Name: r.Name, Specifier: r.Specifier, Develop: r.Develop}
			if r.Index != "" {
				idx := r.Index
				req.Index = &idx
			}
			spec.Requirements = append(spec.Requirements, req)
		}
		for _, l := range sp.Locked {
			spec.Locked = append(spec.Locked, persistence.LockedEntry{
				Name: l.Name, Version: l.Version, IndexURL: l.IndexURL, Hashes: l.Hashes, Develop: l.Develop})
		}
		rec.Spec = spec
	}
	for _, r := range doc.Results {
		run := persistence.InspectionRun{
			Number: r.Number, ExitCode: r.ExitCode, Started: r.Started, Ended: r.Ended,
			Hostname: r.Hostname, Script: r.ScriptSHA256, Runtime: r.Runtime,
		}
		if r.Usage != nil {
			run.Usage, _ = json.Marshal(r.Usage) // numbers only: cannot fail
		}
		env := python.Environment{OSName: r.Environment.OSName, OSVersion: r.Environment.OSVersion, PythonVersion: r.Environment.PythonVersion}
		if env.Validate() == nil {
			n := env.Normalized()
			run.Environment = &n
		}
		if h := r.Hardware; h != nil {
			run.Hardware = &persistence.HardwareSpec{
				CPUBrand: h.CPUBrand, CPUVendor: h.CPUVendor, CPUFamily: h.CPUFamily, CPUModel: h.CPUModel, CPUCores: h.CPUCores,
				Flags: h.Flags, L1Data: h.L1Data, L1Instruction: h.L1Instruction, L2: h.L2, L3: h.L3, RAMSize: h.RAMSize, GPU: h.GPU,
			}
		}
		if pi := r.Indicator; pi != nil {
			run.Indicator = &persistence.IndicatorEntry{Name: pi.Name, Component: pi.Component,
				Parameters: pi.Parameters, Result: pi.Result, Elapsed: pi.Elapsed, Rate: pi.Rate}
		}
		rec.Results = append(rec.Results, run)
	}
	return rec
}
