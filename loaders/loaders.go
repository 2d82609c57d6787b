// Package loaders holds the per-request dataloaders: Middleware makes a fresh
// set for every request; resolvers fetch it with For(ctx).
package loaders

import (
	"context"
	"net/http"

	"github.com/seshat-graph/seshat/persistence"
)

// Loaders batches the reads of one request.
type Loaders struct {
	store *persistence.Store
}

type ctxKey struct{}

// New returns a fresh set of loaders over store.
func New(store *persistence.Store) *Loaders {
	return &Loaders{store: store}
}

// Middleware attaches a fresh set of loaders to every request.
func Middleware(store *persistence.Store) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := context.WithValue(r.Context(), ctxKey{}, New(store))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// With returns ctx carrying l (for callers outside HTTP, such as tests).
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the request's loaders. It panics when the middleware did not
// run: that is a wiring bug, recovered and reported as INTERNAL.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loaders: no loaders in context (loaders.Middleware not installed)")
	}
	return l
}
