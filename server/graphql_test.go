package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/seshat-graph/seshat/persistence"
)

func TestErrorPresenter(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode string
		wantMsg  string
		logged   bool
	}{
		{"not found", persistence.Errorf(persistence.CodeNotFound, "package %q not found", "nope"), "NOT_FOUND", `package "nope" not found`, false},
		{"invalid", persistence.Errorf(persistence.CodeInvalid, "maxDepth must be >= 0"), "INVALID", "maxDepth must be >= 0", false},
		{"conflict", persistence.Errorf(persistence.CodeConflict, "exists"), "CONFLICT", "exists", false},
		{"unauthenticated", persistence.Errorf(persistence.CodeUnauthenticated, "token needed"), "UNAUTHENTICATED", "token needed", false},
		{"forbidden", persistence.Errorf(persistence.CodeForbidden, "scope"), "FORBIDDEN", "scope", false},
		{"wrapped coded keeps its code", fmt.Errorf("resolver: %w", persistence.Errorf(persistence.CodeNotFound, "gone")), "NOT_FOUND", "gone", false},
		{"uncoded hides details", errors.New("pq: password authentication failed for 10.0.0.7"), "INTERNAL", "internal error", true},
		{"coded internal hides its cause", persistence.Wrap(persistence.CodeInternal, errors.New("disk on fire"), "boom"), "INTERNAL", "internal error", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			present := ErrorPresenter(slog.New(slog.NewTextHandler(&logs, nil)))
			got := present(context.Background(), tt.err)
			if got.Extensions["code"] != tt.wantCode {
				t.Errorf("code = %v, want %s", got.Extensions["code"], tt.wantCode)
			}
			if got.Message != tt.wantMsg {
				t.Errorf("message = %q, want %q", got.Message, tt.wantMsg)
			}
			if tt.logged != strings.Contains(logs.String(), "request failed") {
				t.Errorf("logged = %v, want %v: %s", !tt.logged, tt.logged, logs.String())
			}
		})
	}
}

func TestErrorPresenterGraphQLErrors(t *testing.T) {
	present := ErrorPresenter(slog.New(slog.DiscardHandler))
	got := present(context.Background(), &gqlerror.Error{Message: "Cannot query field \"x\"", Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}})
	if got.Extensions["code"] != "INVALID" {
		t.Errorf("validation error code = %v, want INVALID", got.Extensions["code"])
	}
	got = present(context.Background(), &gqlerror.Error{Message: "operation has complexity 9000, which exceeds the limit of 10", Extensions: map[string]any{"code": "COMPLEXITY_LIMIT_EXCEEDED"}})
	if got.Extensions["code"] != "COMPLEXITY_LIMIT" {
		t.Errorf("complexity error code = %v, want COMPLEXITY_LIMIT", got.Extensions["code"])
	}
}
