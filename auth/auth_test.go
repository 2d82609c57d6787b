package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/persistence"
)

const (
	adminSecret  = "admin-secret-0123456789abcdef"
	ingestSecret = "ingest-secret-0123456789abcdef"
)

func TestParseTokens(t *testing.T) {
	tokens, err := ParseTokens(" ops:admin:" + adminSecret + " , sync:ingest:" + ingestSecret + ",")
	if err != nil || len(tokens) != 2 || tokens[0].String() != "ops:admin" || tokens[1].String() != "sync:ingest" {
		t.Fatalf("ParseTokens = %v, %v", tokens, err)
	}
	if tokens, err := ParseTokens(""); err != nil || tokens != nil {
		t.Errorf("empty: %v %v", tokens, err)
	}
	// Secrets may contain ':'; errors never repeat one.
	if _, err := ParseTokens("x:admin:a:b:c:d:e:f:g:h:i:j:k"); err != nil {
		t.Errorf("secret with colons: %v", err)
	}
	bad := []struct{ in, want string }{
		{"ops:admin", "want name:scope:secret"},
		{":admin:" + adminSecret, "want name:scope:secret"},
		{"ops:root:" + adminSecret, `scope "root"`},
		{"ops:admin:short-secret", "shorter than 16"},
		{"ops:admin:" + adminSecret + ",ops:ingest:" + ingestSecret, "duplicate name"},
	}
	for _, tt := range bad {
		_, err := ParseTokens(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTokens(%q) = %v, want %q", tt.in, err, tt.want)
		}
		for _, secret := range []string{adminSecret, ingestSecret, "short-secret"} {
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error repeats a secret: %v", err)
			}
		}
	}
}

func TestAuthenticateAndRequire(t *testing.T) {
	tokens, err := ParseTokens("ops:admin:" + adminSecret + ",sync:ingest:" + ingestSecret)
	if err != nil {
		t.Fatal(err)
	}
	a := New(tokens)
	tests := []struct {
		name   string
		header string // "" sends none
		scopes []Scope
		want   persistence.Code
	}{
		{"no header", "", []Scope{ScopeIngest}, persistence.CodeUnauthenticated},
		{"unknown secret", "Bearer nope-nope-nope-nope-nope", []Scope{ScopeIngest}, persistence.CodeUnauthenticated},
		{"not bearer", "Basic " + adminSecret, []Scope{ScopeIngest}, persistence.CodeUnauthenticated},
		{"lower-case scheme is not bearer", "bearer " + adminSecret, []Scope{ScopeIngest}, persistence.CodeUnauthenticated},
		{"secret prefix", "Bearer " + adminSecret[:20], []Scope{ScopeAdmin}, persistence.CodeUnauthenticated},
		{"ingest for ingest", "Bearer " + ingestSecret, []Scope{ScopeIngest}, ""},
		{"ingest for admin", "Bearer " + ingestSecret, []Scope{ScopeAdmin}, persistence.CodeForbidden},
		{"admin for admin", "Bearer " + adminSecret, []Scope{ScopeAdmin}, ""},
		{"admin for ingest", "Bearer " + adminSecret, []Scope{ScopeIngest}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got error
			h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = Require(r.Context(), tt.scopes...)
			}))
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if persistence.ErrorCode(got) != tt.want {
				t.Fatalf("Require = %v, want code %q", got, tt.want)
			}
			if got != nil && (strings.Contains(got.Error(), adminSecret) || strings.Contains(got.Error(), ingestSecret)) {
				t.Errorf("error repeats a secret: %v", got)
			}
		})
	}
	if p, ok := FromContext(WithPrincipal(context.Background(), Principal{Name: "cli", Scope: ScopeIngest})); !ok || p.Name != "cli" {
		t.Errorf("WithPrincipal: %v %v", p, ok)
	}
}
