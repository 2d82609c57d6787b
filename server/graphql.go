// Package server composes the HTTP surface: GraphQL transports, the error
// presenter, health endpoints, the playground and middleware.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/graphcache"
	"github.com/seshat-graph/seshat/loaders"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/resolvers"
)

// GraphQLOptions tune the GraphQL endpoint.
type GraphQLOptions struct {
	// Complexity is the largest query cost accepted (see Complexity for the
	// cost model); 0 means no limit.
	Complexity int
	// MaxQueryDepth is the deepest field nesting accepted; 0 means no limit.
	MaxQueryDepth int
	// MaxQueryBytes bounds the query text; 0 means no limit.
	MaxQueryBytes int
	// Introspection allows schema introspection (the playground needs it).
	Introspection bool
	// RequireAuth makes queries need a valid token too (mutations always do).
	RequireAuth bool
	// Timeout bounds one operation; its SQL is cancelled when it expires. 0: none.
	Timeout time.Duration
	// GraphCache, when not nil, keeps dependencyGraph answers (see graphCache).
	GraphCache *graphcache.Cache

	// generatedLists leaves every field to gqlgen's generated code
	// (graphLists and direct off), for tests that compare the two.
	generatedLists bool
	// directWritten counts the fields direct wrote, for tests.
	directWritten *atomic.Int64
}

// GraphQL returns the /graphql handler: the GraphQL-over-HTTP transport (GET
// and POST, see httpTransport), access checks, cost and depth limits, the
// error presenter, panic recovery and per-request loaders around resolver r;
// when r.Store has a hot standby, the read routing of consistency.go.
// Authentication itself (auth.Authenticator.Middleware) wraps it from outside.
func GraphQL(r *resolvers.Resolver, logger *slog.Logger, opts GraphQLOptions) http.Handler {
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: r, Complexity: Complexity(r.Limits)}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(httpTransport{maxQueryBytes: opts.MaxQueryBytes})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	standby := r.Store != nil && r.Store.StandbyStatus().Configured
	if standby {
		srv.Use(consistency{store: r.Store, logger: logger})
	}
	// Operation checks run in this order, all before the first resolver.
	srv.Use(access{requireAuth: opts.RequireAuth, introspection: opts.Introspection})
	if opts.MaxQueryDepth > 0 {
		srv.Use(depthLimit{max: opts.MaxQueryDepth})
	}
	if opts.Complexity > 0 {
		srv.Use(extension.FixedComplexityLimit(opts.Complexity))
	}
	if opts.GraphCache != nil {
		// Outside graphLists, its capture inside (see graphCache).
		srv.Use(&graphCache{cache: opts.GraphCache, logger: logger})
	}
	if !opts.generatedLists {
		srv.Use(graphLists{})
		d := newDirect(r)
		d.written = opts.directWritten
		srv.Use(d)
	}
	if opts.GraphCache != nil {
		srv.Use(graphCapture{})
	}
	srv.SetErrorPresenter(ErrorPresenter(logger))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "panic", p, "path", graphql.GetPath(ctx).String(), "stack", string(debug.Stack()))
		return persistence.Errorf(persistence.CodeInternal, "internal error")
	})
	var h http.Handler = srv
	if opts.Timeout > 0 {
		h = timeout(h, opts.Timeout)
	}
	h = loaders.Middleware(r.Store)(h)
	if standby {
		h = withWriteToken(h)
	}
	return h
}

func timeout(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ErrorPresenter turns errors into GraphQL errors with extensions.code.
// Coded errors keep their message; anything else becomes INTERNAL with a
// generic message and is logged once with its path. Parse and validation
// errors from gqlgen pass through with their own codes.
func ErrorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gqlErr *gqlerror.Error
		if errors.As(err, &gqlErr) && gqlErr.Err == nil {
			// Produced by gqlgen itself: parse, validation, complexity.
			if gqlErr.Extensions == nil {
				gqlErr.Extensions = map[string]any{}
			}
			switch code, _ := gqlErr.Extensions["code"].(string); {
			case code == "COMPLEXITY_LIMIT_EXCEEDED":
				gqlErr.Extensions["code"] = string(persistence.CodeComplexityLimit)
			case code == "", strings.HasPrefix(code, "GRAPHQL_"):
				// Parse, validation and bad-request errors: the query is invalid.
				gqlErr.Extensions["code"] = string(persistence.CodeInvalid)
			}
			return gqlErr
		}
		out := graphql.DefaultErrorPresenter(ctx, err)
		code := persistence.ErrorCode(err)
		if code == persistence.CodeInternal {
			logger.ErrorContext(ctx, "request failed", "path", fmt.Sprint(out.Path), "err", err)
		}
		out.Message = persistence.ErrorMessage(err)
		if out.Extensions == nil {
			out.Extensions = map[string]any{}
		}
		out.Extensions["code"] = string(code)
		return out
	}
}
