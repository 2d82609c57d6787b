package ingest

import (
	"context"

	"github.com/seshat-graph/seshat/ingest/runs"
	"github.com/seshat-graph/seshat/persistence"
)

// DependencyMonkeyResult maps a parsed Dependency Monkey report to what the
// store writes: the input is stack 0, generated stack n's lock stack n.
func DependencyMonkeyResult(d *runs.DependencyMonkey) *persistence.DependencyMonkeyResult {
	rt := d.Runtime
	out := &persistence.DependencyMonkeyResult{Run: persistence.DependencyMonkeyRun{
		DocumentID: d.ID, AnalyzerVersion: opt(d.AnalyzerVersion), RunAt: d.RunAt, Duration: d.Duration,
		DecisionType: opt(d.DecisionType), Seed: d.Seed, Count: d.Count, LimitLatestVersions: d.LimitLatestVersions,
		Predictor: opt(d.Predictor), PredictorConfig: d.PredictorConfig, OSName: opt(rt.OSName), OSVersion: opt(rt.OSVersion),
		PythonVersion: opt(rt.PythonVersion), RuntimeEnvironment: rt.Raw, Error: d.Error, ErrorMessage: opt(d.ErrorMessage),
		Skipped: d.Skipped,
	}}
	out.Requirements, out.Packages = stackRows(0, d.Input, nil, nil)
	for _, s := range d.Stacks {
		p := s.Product
		out.Stacks = append(out.Stacks, persistence.DependencyMonkeyStack{DocumentID: d.ID, Number: p.Number, InspectionID: s.InspectionID})
		out.Products = append(out.Products, persistence.AdviserProduct{
			DocumentID: d.ID, Number: p.Number, Score: p.Score, PerformanceScore: p.PerformanceScore,
			Justification: p.Justification, AdvisedRuntimeEnvironment: p.AdvisedRuntimeEnvironment,
			AdvisedManifestChanges: p.AdvisedManifestChanges,
		})
		out.Requirements, out.Packages = stackRows(p.Number, p.Stack, out.Requirements, out.Packages)
	}
	return out
}

// writeDependencyMonkey writes a Dependency Monkey report (see
// runs.ParseDependencyMonkey); its id comes from the key when the report
// names none.
func writeDependencyMonkey(ctx context.Context, s *Service, ref persistence.DocumentRef, raw []byte, o writeOpts) (persistence.IngestOutcome, error) {
	d, err := runs.ParseDependencyMonkey(ref.ID, raw)
	if err != nil {
		return persistence.IngestOutcome{}, invalidRun("dependency-monkey", err)
	}
	if o.dryRun {
		return persistence.IngestOutcome{Status: persistence.StatusPending}, nil
	}
	d.ID = ref.ID
	res := DependencyMonkeyResult(d)
	return s.retrying(ctx, ref, func() (persistence.IngestOutcome, error) {
		return s.Store.IngestDependencyMonkey(ctx, ref, res, o.force, !o.shared)
	})
}
