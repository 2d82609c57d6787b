// Package auth parses API tokens (SESHAT_API_TOKENS), authenticates
// requests by bearer token and checks scopes.
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

	"github.com/seshat-graph/seshat/persistence"
)

// Scope is what a token may do.
type Scope string

// Scopes: ingest may run ingestion mutations; admin may do everything.
const (
	ScopeIngest Scope = "ingest"
	ScopeAdmin  Scope = "admin"
)

// Token is one configured API token. Secret is never logged.
type Token struct {
	Name   string
	Scope  Scope
	secret [32]byte // sha256 of the secret, compared in constant time
}

// String names the token without its secret.
func (t Token) String() string { return t.Name + ":" + string(t.Scope) }

// ParseTokens reads a comma-separated list of name:scope:secret entries.
// Empty input yields no tokens. Errors name the entry by position and name,
// never by secret.
func ParseTokens(s string) ([]Token, error) {
	var out []Token
	names := map[string]bool{}
	for i, raw := range strings.Split(s, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		parts := strings.SplitN(raw, ":", 3)
		if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
			return nil, fmt.Errorf("token %d: want name:scope:secret", i+1)
		}
		name, scope, secret := parts[0], Scope(parts[1]), parts[2]
		if scope != ScopeIngest && scope != ScopeAdmin {
			return nil, fmt.Errorf("token %d (%s): scope %q: want ingest or admin", i+1, name, scope)
		}
		if len(secret) < 16 {
			return nil, fmt.Errorf("token %d (%s): secret shorter than 16 characters", i+1, name)
		}
		if names[name] {
			return nil, fmt.Errorf("token %d (%s): duplicate name", i+1, name)
		}
		names[name] = true
		out = append(out, Token{Name: name, Scope: scope, secret: sha256.Sum256([]byte(secret))})
	}
	return out, nil
}

// Authenticator matches bearer tokens against the configured ones.
type Authenticator struct {
	tokens []Token
}

// New returns an Authenticator for tokens.
func New(tokens []Token) *Authenticator { return &Authenticator{tokens: tokens} }

// Principal is the caller a request was authenticated as.
type Principal struct {
	Name  string
	Scope Scope
}

type principalKey struct{}

type attemptKey struct{}

// Middleware authenticates the Authorization header, if any, and stores the
// result in the request context; it never rejects by itself (queries may be
// anonymous): Require does, where it matters.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		ctx := context.WithValue(r.Context(), attemptKey{}, true)
		if p, ok := a.Authenticate(h); ok {
			ctx = context.WithValue(ctx, principalKey{}, p)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Authenticate checks an Authorization header value. Every configured token
// is compared, in constant time, whatever matches first.
func (a *Authenticator) Authenticate(header string) (Principal, bool) {
	secret, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return Principal{}, false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	var found Principal
	match := 0
	for _, t := range a.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.secret[:]) == 1 {
			found = Principal{Name: t.Name, Scope: t.Scope}
			match = 1
		}
	}
	return found, match == 1
}

// WithPrincipal returns ctx authenticated as p (for the CLI and tests).
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the authenticated caller, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Require returns UNAUTHENTICATED when ctx carries no valid token and
// FORBIDDEN when its scope does not allow one of scopes (admin allows all).
func Require(ctx context.Context, scopes ...Scope) error {
	p, ok := FromContext(ctx)
	if !ok {
		if attempted, _ := ctx.Value(attemptKey{}).(bool); attempted {
			return persistence.Errorf(persistence.CodeUnauthenticated, "invalid API token")
		}
		return persistence.Errorf(persistence.CodeUnauthenticated, "this operation needs an API token: send Authorization: Bearer <token>")
	}
	if p.Scope == ScopeAdmin {
		return nil
	}
	for _, s := range scopes {
		if p.Scope == s {
			return nil
		}
	}
	return persistence.Errorf(persistence.CodeForbidden, "token %q (scope %s) may not do this", p.Name, p.Scope)
}
