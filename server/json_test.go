package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestRequestBodyErrors: a POST body that is not valid JSON is refused
// saying so, and where (a raw newline inside a JSON string, as a hand
// written curl body has, is the usual case); valid JSON that is not an
// object is refused saying it is not an object; an empty body says it is
// empty. Each is 400 INVALID without data, and no SQL runs.
func TestRequestBodyErrors(t *testing.T) {
	t.Parallel()
	g := newGateway(t, gatewayConfig{})
	tests := []struct {
		name string
		body string
		want []string // substrings of the message
	}{
		{"raw newline in a string", "{\"query\": \"{\n  packages(first: 1) { totalCount }\n}\"}",
			[]string{"not valid JSON", "invalid character '\\n' in string literal", "line 1, column 13 (byte offset 12)", `write a newline as \n`}},
		{"raw tab in a string on line 2", "{\n\"query\": \"{\tpackages }\"}",
			[]string{"not valid JSON", "line 2, column 12 (byte offset 13)", `a tab as \t`}},
		{"cut short", `{"query":`, []string{"not valid JSON", "ends after 9 bytes"}},
		{"cut short after whitespace", "{\"query\": \"{ __typename }\"  \n", []string{"not valid JSON", "ends after 29 bytes"}},
		{"single quotes", `{'query': '{ __typename }'}`, []string{"not valid JSON", "line 1, column 2 (byte offset 1)"}},
		{"trailing text", `{"query": "{ __typename }"} and more`, []string{"not valid JSON", "after top-level value", "column 29"}},
		{"a string", `"{ __typename }"`, []string{"the request body is not a JSON object: it is a JSON string"}},
		{"a number", `7`, []string{"the request body is not a JSON object: it is a JSON number"}},
		{"null", ` null `, []string{"the request body is not a JSON object: it is null"}},
		{"true", `true`, []string{"the request body is not a JSON object: it is a JSON boolean"}},
		{"empty", ` `, []string{"the request body is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, accept := range []string{"application/json", "application/graphql-response+json"} {
				g.tracer.Reset()
				got := g.do(t, req{body: tt.body, accept: accept})
				if got.status != http.StatusBadRequest || got.code() != "INVALID" || got.hasData() || len(got.Errors) != 1 {
					t.Fatalf("%s: HTTP %d, code %q, data %v: %s; want 400 INVALID without data", accept, got.status, got.code(), got.hasData(), got.raw)
				}
				msg := got.Errors[0].Message
				for _, w := range tt.want {
					if !strings.Contains(msg, w) {
						t.Errorf("%s: message %q does not say %q", accept, msg, w)
					}
				}
				if tt.name != "empty" && strings.Contains(msg, "not valid JSON") == strings.Contains(msg, "not a JSON object") {
					t.Errorf("%s: message %q must say either that the body is not valid JSON or that it is not an object", accept, msg)
				}
				if n := g.tracer.Count(); n != 0 {
					t.Errorf("%s: ran %d SQL statements", accept, n)
				}
			}
		})
	}
}
