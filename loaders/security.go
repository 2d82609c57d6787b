package loaders

import (
	"context"

	"github.com/seshat-graph/seshat/persistence"
)

// SecurityIndicators returns the version's security indicators, newest
// analysis first, with their findings.
func (l *Loaders) SecurityIndicators(ctx context.Context, versionID int64) ([]persistence.SecurityIndicator, error) {
	return l.security.Load(ctx, versionID)()
}

// PrefetchSecurityIndicators fetches and caches SecurityIndicators for
// every version.
func (l *Loaders) PrefetchSecurityIndicators(ctx context.Context, ids []int64) [][]persistence.SecurityIndicator {
	return l.security.prefetch(ctx, ids)
}
