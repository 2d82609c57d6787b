package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/seshat-graph/seshat/persistence"
)

// With a hot standby (SESHAT_DATABASE_READ_URL), the reads of a query
// operation go to the standby and everything a mutation does, its reads
// too, to the primary. A request chooses with the header
// X-Seshat-Consistency:
//
//	primary             every read on the primary
//	standby (or none)   on the standby while it serves (persistence.StandbyStatus)
//	<LSN>, 16/B374D848  on the standby once it has replayed that position, else the primary
//
// A mutation's answer carries the primary's WAL position after it, in the
// same header and in the cookie seshat_consistency, so a client that sends
// either back (a browser sends the cookie by itself) reads its own writes.
const (
	ConsistencyHeader = "X-Seshat-Consistency"
	ConsistencyCookie = "seshat_consistency"
	// consistencyCookieAge is how long the cookie asks for the position:
	// a standby that has not replayed it by then is past any sane lag
	// bound, and the gateway reads from the primary anyway.
	consistencyCookieAge = 5 * time.Minute
)

// consistency is the operation extension that routes reads as above.
type consistency struct {
	store  *persistence.Store
	logger *slog.Logger
}

func (consistency) ExtensionName() string                   { return "ReadConsistency" }
func (consistency) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation marks a query's context for the standby, or leaves it
// for the primary; after a mutation it records the primary's position for
// the response.
func (c consistency) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil {
		return next(ctx)
	}
	switch oc.Operation.Operation {
	case ast.Query:
		rctx, err := readPolicy(ctx, oc.Headers)
		if err != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
				Message:    err.Error(),
				Extensions: map[string]any{"code": string(persistence.CodeInvalid)},
			}}})
		}
		return next(rctx)
	case ast.Mutation:
		respond := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			resp := respond(ctx)
			if t, ok := ctx.Value(tokenKey{}).(*writeToken); ok && resp != nil {
				lsn, err := c.store.PrimaryLSN(ctx)
				if err != nil {
					c.logger.WarnContext(ctx, "no WAL position for the mutation's consistency token", "err", err)
				} else {
					t.set(lsn.String())
				}
			}
			return resp
		}
	}
	return next(ctx)
}

// readPolicy is ctx with the standby allowed as the request asks: the
// header, else the cookie (an unreadable cookie is ignored, an unreadable
// header is INVALID).
func readPolicy(ctx context.Context, h http.Header) (context.Context, error) {
	v, fromHeader := strings.TrimSpace(h.Get(ConsistencyHeader)), true
	if v == "" {
		fromHeader = false
		if ck, err := (&http.Request{Header: h}).Cookie(ConsistencyCookie); err == nil {
			v = ck.Value
		}
	}
	switch {
	case v == "", strings.EqualFold(v, "standby"):
		return persistence.ReadFromStandby(ctx), nil
	case strings.EqualFold(v, "primary"):
		return ctx, nil
	}
	lsn, err := persistence.ParseLSN(v)
	if err != nil {
		if !fromHeader {
			return persistence.ReadFromStandby(ctx), nil
		}
		return ctx, fmt.Errorf("%s: %q: want primary, standby or a WAL position such as 16/B374D848 (a mutation's answer carries one)", ConsistencyHeader, v)
	}
	return persistence.ReadFromStandbyAfter(ctx, lsn), nil
}

type tokenKey struct{}

// writeToken is the primary's position a mutation of the request left.
type writeToken struct {
	mu    sync.Mutex
	value string
}

func (t *writeToken) set(v string) {
	t.mu.Lock()
	t.value = v
	t.mu.Unlock()
}

func (t *writeToken) get() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.value
}

// withWriteToken gives the request a writeToken and puts it on the
// response, as the header and the cookie, when the response starts.
func withWriteToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := &writeToken{}
		ctx := context.WithValue(r.Context(), tokenKey{}, t)
		next.ServeHTTP(&tokenWriter{ResponseWriter: w, token: t}, r.WithContext(ctx))
	})
}

type tokenWriter struct {
	http.ResponseWriter
	token   *writeToken
	started bool
}

func (w *tokenWriter) WriteHeader(code int) {
	if !w.started {
		w.started = true
		if v := w.token.get(); v != "" {
			w.Header().Set(ConsistencyHeader, v)
			http.SetCookie(w, &http.Cookie{Name: ConsistencyCookie, Value: v, Path: "/",
				MaxAge: int(consistencyCookieAge / time.Second), HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *tokenWriter) Write(b []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *tokenWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *tokenWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
