package ingest

import (
	"context"
	"errors"

	"github.com/seshat-graph/seshat/ingest/analysis"
	"github.com/seshat-graph/seshat/persistence"
)

// AnalysisResult maps a parsed image analysis to what the store writes.
func AnalysisResult(d *analysis.Document) *persistence.AnalysisResult {
	a := &persistence.AnalysisResult{
		Analyzer: d.Analyzer, AnalyzerVersion: d.AnalyzerVersion, AnalyzedAt: d.AnalyzedAt,
		Duration: d.Duration, Origin: d.Origin,
		Image: d.Image, ImageName: d.ImageName, ImageTag: d.ImageTag, Digest: d.Digest, Size: d.Size,
		EnvironmentType: d.EnvironmentType, OSName: d.OSName, OSVersion: d.OSVersion,
		PythonVersion: d.PythonVersion, CUDAVersion: d.CUDAVersion, Layers: d.Layers,
	}
	for _, p := range d.PythonPackages {
		a.PythonPackages = append(a.PythonPackages, persistence.ImagePythonPackage(p))
	}
	for _, r := range d.RPMs {
		a.RPMs = append(a.RPMs, persistence.RPMEntry{
			RPMPackageVersion: persistence.RPMPackageVersion{Name: r.Name, Version: r.Version, Release: r.Release,
				Epoch: r.Epoch, Arch: r.Arch, Src: r.Src, PackageIdentifier: r.Identifier},
			Requires: r.Requires,
		})
	}
	for _, b := range d.Debs {
		e := persistence.DebEntry{DebPackageVersion: persistence.DebPackageVersion{Name: b.Name, Version: b.Version, Epoch: b.Epoch, Arch: b.Arch}}
		for _, rel := range []struct {
			kind string
			list []analysis.DebRelation
		}{{"depends", b.Depends}, {"pre-depends", b.PreDepends}, {"replaces", b.Replaces}} {
			for _, r := range rel.list {
				e.Relations = append(e.Relations, persistence.DebRelation{Kind: rel.kind, Name: r.Name, Range: r.Range})
			}
		}
		a.Debs = append(a.Debs, e)
	}
	for _, s := range d.Symbols {
		a.Symbols = append(a.Symbols, persistence.VersionedSymbol{Library: s.Library, Symbol: s.Symbol})
	}
	for _, in := range d.Interpreters {
		a.Interpreters = append(a.Interpreters, persistence.PythonInterpreter(in))
	}
	for _, f := range d.Files {
		a.Files = append(a.Files, persistence.PythonFile(f))
	}
	return a
}

// writeImageAnalysis writes a package-extract document, the analysis of a
// container image (see package analysis).
func writeImageAnalysis(ctx context.Context, s *Service, ref persistence.DocumentRef, raw []byte, o writeOpts) (persistence.IngestOutcome, error) {
	doc, err := analysis.Parse(ref.ID, raw)
	if err != nil {
		var ve *analysis.ValidationError
		if errors.As(err, &ve) {
			return persistence.IngestOutcome{}, persistence.Errorf(persistence.CodeInvalid, "invalid package-extract document: %s", ve.Error())
		}
		return persistence.IngestOutcome{}, err
	}
	if o.dryRun {
		return persistence.IngestOutcome{Status: persistence.StatusPending}, nil
	}
	a := AnalysisResult(doc)
	return s.retrying(ctx, ref, func() (persistence.IngestOutcome, error) {
		return s.Store.IngestImageAnalysis(ctx, ref, a, o.force, !o.shared)
	})
}
