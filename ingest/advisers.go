package ingest

import (
	"context"
	"errors"

	"github.com/seshat-graph/seshat/ingest/runs"
	"github.com/seshat-graph/seshat/persistence"
)

// AdviserResult maps a parsed adviser run to what the store writes: the
// input is stack 0, product n's lock stack n.
func AdviserResult(a *runs.Adviser) *persistence.AdviserResult {
	rt, hw := a.Runtime, a.Runtime.Hardware
	out := &persistence.AdviserResult{Run: persistence.AdviserRun{
		DocumentID: a.ID, Analyzer: opt(a.Analyzer), AnalyzerVersion: opt(a.AnalyzerVersion), RunAt: a.RunAt,
		Duration: a.Duration, Deployment: opt(a.Deployment), Origin: opt(a.Origin), SourceType: opt(a.SourceType),
		RecommendationType: opt(a.RecommendationType), RequirementsFormat: opt(a.RequirementsFormat),
		Count: a.Count, Limit: a.Limit, LimitLatestVersions: a.LimitLatestVersions,
		Error: a.Error, ErrorMessage: opt(a.ErrorMessage), ReRunOf: opt(a.ReRunOf), IsS2I: a.IsS2I, Debug: a.Debug,
		HasReport: a.HasReport, StackInfo: a.StackInfo,
		EnvironmentName: opt(rt.Name), OSName: opt(rt.OSName), OSVersion: opt(rt.OSVersion),
		PythonVersion: opt(rt.PythonVersion), CUDAVersion: opt(rt.CUDAVersion), Platform: opt(rt.Platform), RuntimeEnvironment: rt.Raw,
		CPUFamily: hw.CPUFamily, CPUModel: hw.CPUModel, CPUCores: hw.CPUCores, CPUModelName: opt(hw.CPUModelName),
		GPUModel: opt(hw.GPUModel), RAMSize: hw.RAMSize, Hardware: hw.Raw,
	}, Unresolved: a.Unresolved}
	out.Requirements, out.Packages = stackRows(0, a.Input, out.Requirements, out.Packages)
	for _, p := range a.Products {
		out.Products = append(out.Products, persistence.AdviserProduct{
			DocumentID: a.ID, Number: p.Number, Score: p.Score, PerformanceScore: p.PerformanceScore,
			Justification: p.Justification, AdvisedRuntimeEnvironment: p.AdvisedRuntimeEnvironment,
			AdvisedManifestChanges: p.AdvisedManifestChanges,
		})
		out.Requirements, out.Packages = stackRows(p.Number, p.Stack, out.Requirements, out.Packages)
	}
	return out
}

// ProvenanceResult maps a parsed provenance check to what the store writes:
// the checked stack is stack 0.
func ProvenanceResult(c *runs.Provenance) *persistence.ProvenanceResult {
	out := &persistence.ProvenanceResult{Check: persistence.ProvenanceCheck{
		DocumentID: c.ID, Analyzer: opt(c.Analyzer), AnalyzerVersion: opt(c.AnalyzerVersion), CheckedAt: c.CheckedAt,
		Duration: c.Duration, Deployment: opt(c.Deployment), Origin: opt(c.Origin), Error: c.Error,
		ErrorMessage: opt(c.ErrorMessage), Debug: c.Debug, WhitelistedIndexes: c.WhitelistedIndexes,
	}}
	out.Requirements, out.Packages = stackRows(0, c.Stack, nil, nil)
	for _, f := range c.Findings {
		out.Findings = append(out.Findings, persistence.ProvenanceFinding{
			DocumentID: c.ID, Number: f.Number, Type: f.Type, Code: opt(f.Code), Justification: opt(f.Justification),
			PackageName: opt(f.PackageName), PackageVersion: opt(f.PackageVersion), IndexURL: opt(f.IndexURL),
			Digest: opt(f.Digest), Data: f.Data,
		})
	}
	return out
}

// stackRows appends the rows of stack number n.
func stackRows(n int, s runs.Stack, reqs []persistence.StackRequirement, pkgs []persistence.StackPackage) ([]persistence.StackRequirement, []persistence.StackPackage) {
	for _, r := range s.Requirements {
		reqs = append(reqs, persistence.StackRequirement{Stack: n, Develop: r.Develop, PackageName: r.Name,
			Specifier: r.Specifier, IndexURL: opt(r.IndexURL), Markers: opt(r.Markers)})
	}
	for _, p := range s.Packages {
		pkgs = append(pkgs, persistence.StackPackage{Stack: n, Develop: p.Develop, PackageName: p.Name,
			Version: opt(p.Version), VersionText: opt(p.VersionText), IndexURL: opt(p.IndexURL), Hashes: p.Hashes, Markers: opt(p.Markers)})
	}
	return reqs, pkgs
}

// opt is s, nil when empty.
func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// invalidRun maps a parser's error to INVALID with the JSON path.
func invalidRun(kind string, err error) error {
	var ve *runs.ValidationError
	if errors.As(err, &ve) {
		return persistence.Errorf(persistence.CodeInvalid, "invalid %s document: %s", kind, ve.Error())
	}
	return err
}

// writeAdviser writes an adviser document (see runs.ParseAdviser).
func writeAdviser(ctx context.Context, s *Service, ref persistence.DocumentRef, raw []byte, o writeOpts) (persistence.IngestOutcome, error) {
	a, err := runs.ParseAdviser(ref.ID, raw)
	if err != nil {
		return persistence.IngestOutcome{}, invalidRun("adviser", err)
	}
	if o.dryRun {
		return persistence.IngestOutcome{Status: persistence.StatusPending}, nil
	}
	a.ID = ref.ID
	res := AdviserResult(a)
	return s.retrying(ctx, ref, func() (persistence.IngestOutcome, error) {
		return s.Store.IngestAdviserResult(ctx, ref, res, o.force, !o.shared)
	})
}

// writeProvenance writes a provenance-checker document (see
// runs.ParseProvenance).
func writeProvenance(ctx context.Context, s *Service, ref persistence.DocumentRef, raw []byte, o writeOpts) (persistence.IngestOutcome, error) {
	c, err := runs.ParseProvenance(ref.ID, raw)
	if err != nil {
		return persistence.IngestOutcome{}, invalidRun("provenance-checker", err)
	}
	if o.dryRun {
		return persistence.IngestOutcome{Status: persistence.StatusPending}, nil
	}
	c.ID = ref.ID
	res := ProvenanceResult(c)
	return s.retrying(ctx, ref, func() (persistence.IngestOutcome, error) {
		return s.Store.IngestProvenanceResult(ctx, ref, res, o.force, !o.shared)
	})
}
