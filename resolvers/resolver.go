// Package resolvers holds the thin GraphQL resolvers: each calls a loader,
// the store or the ingestion service.
package resolvers

import (
	"log/slog"

	"github.com/seshat-graph/seshat/persistence"
)

// Limits bound what one query may ask for.
type Limits struct {
	MaxDepth    int // cap on maxDepth arguments
	MaxPageSize int // cap on first arguments
	DefaultPage int // page size when first is omitted
}

// DefaultLimits are used when the server is not configured otherwise.
var DefaultLimits = Limits{MaxDepth: 50, MaxPageSize: 1000, DefaultPage: 100}

// Resolver is the root resolver; main wires its dependencies.
type Resolver struct {
	// Store answers queries; it may be a hot standby.
	Store *persistence.Store
	// Primary takes the writes of mutations; nil means Store.
	Primary *persistence.Store
	Ingest  Ingester
	Logger  *slog.Logger
	Limits  Limits
}

// primary is the store mutations write to.
func (r *Resolver) primary() *persistence.Store {
	if r.Primary != nil {
		return r.Primary
	}
	return r.Store
}
