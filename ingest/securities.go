package ingest

import (
	"context"

	"github.com/seshat-graph/seshat/ingest/security"
	"github.com/seshat-graph/seshat/persistence"
)

// writeSecurityIndicator writes a document of the security-indicator kind:
// a folder security-indicators/<id>/ of si-bandit, si-cloc and
// si-aggregator results, or one such result alone (si-bandit-<id>).
func writeSecurityIndicator(ctx context.Context, s *Service, ref persistence.DocumentRef, raw []byte, o writeOpts) (persistence.IngestOutcome, error) {
	si, err := security.Parse(raw)
	if err != nil {
		return persistence.IngestOutcome{}, err
	}
	if o.dryRun {
		return persistence.IngestOutcome{Status: persistence.StatusPending}, nil
	}
	return s.retrying(ctx, ref, func() (persistence.IngestOutcome, error) {
		return s.Store.IngestSecurityIndicator(ctx, ref, si, o.force, !o.shared)
	})
}
