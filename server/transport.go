package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/seshat-graph/seshat/persistence"
)

// Media types of GraphQL-over-HTTP responses.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// httpTransport serves GraphQL over HTTP GET and POST as the GraphQL over
// HTTP specification asks (https://graphql.github.io/graphql-over-http/):
//
//   - the response media type is negotiated from Accept: application/json or
//     application/graphql-response+json (preferred on a tie; application/json
//     when Accept is absent or a wildcard); anything else is 406.
//   - a request that is not well-formed (bad JSON, a parameter of the wrong
//     type, a batch, a query over the length limit) is 400 without data; a
//     body over the limit is 413.
//   - a document that does not parse or validate, variables that do not
//     coerce, or a query over the cost or depth budget, is a request error:
//     no data entry, 400 with application/graphql-response+json and 200 with
//     application/json (legacy clients read the errors from a 200).
//   - a request refused for want of a token is 401, for want of a scope 403.
//   - GET carries only queries: a mutation over GET is 405.
//
// Batched operations (a JSON array body) are refused: one request, one
// operation, so cost limits and timeouts apply per operation.
type httpTransport struct {
	// maxQueryBytes bounds the query text; 0: no limit.
	maxQueryBytes int
}

var _ graphql.Transport = httpTransport{}

// Supports takes every plain HTTP request except OPTIONS (answered by
// gqlgen's Options transport) and WebSocket upgrades.
func (httpTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && r.Method != http.MethodOptions
}

// requestError is a request refused before execution, with its HTTP status.
type requestError struct {
	status int
	code   persistence.Code
	msg    string
}

func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := negotiate(r.Header.Get("Accept"))
	if !ok {
		// Nothing we can say is acceptable: answer in JSON anyway, with 406.
		writeResponse(w, mediaJSON, http.StatusNotAcceptable, requestErrors(persistence.CodeInvalid,
			"Accept allows neither application/graphql-response+json nor application/json"))
		return
	}
	start := graphql.Now()
	params, rerr := t.params(r)
	if rerr != nil {
		if rerr.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", "GET, POST, OPTIONS")
		}
		writeResponse(w, media, rerr.status, requestErrors(rerr.code, rerr.msg))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	if r.Method == http.MethodGet {
		// Refuse a mutation over GET before anything else looks at it.
		if op := operationType(params.Query, params.OperationName); op != "" && op != ast.Query {
			w.Header().Set("Allow", "POST")
			writeResponse(w, media, http.StatusMethodNotAllowed, requestErrors(persistence.CodeInvalid,
				fmt.Sprintf("GET carries queries only: send the %s with POST", op)))
			return
		}
	}

	ctx := r.Context()
	rc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		switch {
		case hasCode(resp.Errors, persistence.CodeUnauthenticated):
			status = http.StatusUnauthorized
			w.Header().Set("WWW-Authenticate", `Bearer realm="seshat"`)
		case hasCode(resp.Errors, persistence.CodeForbidden):
			status = http.StatusForbidden
		}
		// A request error has no data entry at all.
		writeResponse(w, media, status, &graphql.Response{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	if r.Method == http.MethodGet && rc.Operation != nil && rc.Operation.Operation != ast.Query {
		// A persisted query resolved to a mutation.
		w.Header().Set("Allow", "POST")
		writeResponse(w, media, http.StatusMethodNotAllowed, requestErrors(persistence.CodeInvalid,
			fmt.Sprintf("GET carries queries only: send the %s with POST", rc.Operation.Operation)))
		return
	}
	sp := &splices{}
	responses, ctx := exec.DispatchOperation(context.WithValue(ctx, splicesKey{}, sp), rc)
	writeSpliced(w, media, http.StatusOK, responses(ctx), sp)
}

// params reads the GraphQL parameters of a GET or POST request.
func (t httpTransport) params(r *http.Request) (*graphql.RawParams, *requestError) {
	bad := func(format string, args ...any) *requestError {
		return &requestError{status: http.StatusBadRequest, code: persistence.CodeInvalid, msg: fmt.Sprintf(format, args...)}
	}
	p := &graphql.RawParams{}
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		p.Query = q.Get("query")
		p.OperationName = q.Get("operationName")
		for _, f := range []struct {
			name string
			dst  *map[string]any
		}{{"variables", &p.Variables}, {"extensions", &p.Extensions}} {
			if v := q.Get(f.name); v != "" {
				if err := decodeObject(json.RawMessage(v), f.dst); err != nil {
					return nil, bad("%s: want a JSON object: %v", f.name, err)
				}
			}
		}
	case http.MethodPost:
		mt, mp, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != mediaJSON {
			return nil, &requestError{status: http.StatusUnsupportedMediaType, code: persistence.CodeInvalid,
				msg: "POST needs Content-Type: application/json"}
		}
		if cs, ok := mp["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return nil, &requestError{status: http.StatusUnsupportedMediaType, code: persistence.CodeInvalid,
				msg: fmt.Sprintf("charset %q: only utf-8 is accepted", cs)}
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, &requestError{status: http.StatusRequestEntityTooLarge, code: persistence.CodeInvalid,
					msg: fmt.Sprintf("request body larger than %d bytes", tooLarge.Limit)}
			}
			return nil, bad("could not read the request body")
		}
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) == 0 {
			return nil, bad("the request body is empty: send a JSON object with the query")
		}
		if trimmed[0] == '[' {
			return nil, bad("batched operations are not supported: send one operation per request")
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
			return nil, bad("%s", bodyError(body, err))
		}
		if raw, ok := fields["query"]; ok && !isNull(raw) {
			if err := json.Unmarshal(raw, &p.Query); err != nil {
				return nil, bad("query: want a string")
			}
		}
		if raw, ok := fields["operationName"]; ok && !isNull(raw) {
			if err := json.Unmarshal(raw, &p.OperationName); err != nil {
				return nil, bad("operationName: want a string")
			}
		}
		if err := decodeObject(fields["variables"], &p.Variables); err != nil {
			return nil, bad("variables: want a JSON object")
		}
		if err := decodeObject(fields["extensions"], &p.Extensions); err != nil {
			return nil, bad("extensions: want a JSON object")
		}
	default:
		return nil, &requestError{status: http.StatusMethodNotAllowed, code: persistence.CodeInvalid,
			msg: fmt.Sprintf("method %s: GraphQL takes GET and POST", r.Method)}
	}
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return nil, bad("query is missing")
	}
	if t.maxQueryBytes > 0 && len(p.Query) > t.maxQueryBytes {
		return nil, bad("query is %d bytes, more than the limit of %d", len(p.Query), t.maxQueryBytes)
	}
	return p, nil
}

// bodyError says why a POST body that is not empty is not a GraphQL request
// object: it is not valid JSON (with where the syntax error is, since a hand
// written curl body is the usual cause), or it is JSON of another type.
func bodyError(body []byte, err error) string {
	var (
		syntax   *json.SyntaxError
		mismatch *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mismatch):
		kind := mismatch.Value
		if kind == "bool" {
			kind = "boolean"
		}
		return "the request body is not a JSON object: it is a JSON " + kind
	case err == nil: // null
		return "the request body is not a JSON object: it is null"
	case !errors.As(err, &syntax):
		return "the request body is not a JSON object"
	}
	// Offset counts the bytes read, the offending one included.
	pos := int(syntax.Offset)
	if pos >= len(body) && strings.HasPrefix(syntax.Error(), "unexpected end") {
		return fmt.Sprintf("the request body is not valid JSON: it ends after %d bytes, before the JSON value is complete", len(body))
	}
	pos = max(0, min(pos-1, len(body)-1))
	line := 1 + bytes.Count(body[:pos], []byte("\n"))
	col := pos - bytes.LastIndexByte(body[:pos], '\n')
	msg := fmt.Sprintf("the request body is not valid JSON: %v at line %d, column %d (byte offset %d)", syntax, line, col, pos)
	if body[pos] < 0x20 && strings.Contains(syntax.Error(), "in string literal") {
		msg += `: inside a JSON string, write a newline as \n and a tab as \t`
	}
	return msg
}

// operationType is the type of the operation a GET would run, "" when the
// query does not parse or names no such operation (execution reports that).
func operationType(query, name string) ast.Operation {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return ""
	}
	for _, op := range doc.Operations {
		if name == "" && len(doc.Operations) == 1 || op.Name == name {
			return op.Operation
		}
	}
	return ""
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// decodeObject decodes a JSON object (numbers kept exact) into dst; absent
// and null leave dst nil; anything else is an error.
func decodeObject(raw json.RawMessage, dst *map[string]any) error {
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		return nil
	}
	if raw[0] != '{' {
		return errors.New("not an object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(dst)
}

// negotiate picks the response media type from an Accept header: the
// acceptable type with the highest q, application/graphql-response+json on a
// tie; application/json for a missing header and for wildcards.
func negotiate(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	type choice struct {
		media string
		q     float64
		rank  int
	}
	var choices []choice
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(s, 64); err == nil {
				q = v
			}
		}
		if q <= 0 {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			choices = append(choices, choice{mediaGraphQLResponse, q, 0})
		case mediaJSON:
			choices = append(choices, choice{mediaJSON, q, 1})
		case "application/*", "*/*":
			choices = append(choices, choice{mediaJSON, q, 2})
		}
	}
	if len(choices) == 0 {
		return "", false
	}
	sort.SliceStable(choices, func(i, j int) bool {
		if choices[i].q != choices[j].q {
			return choices[i].q > choices[j].q
		}
		return choices[i].rank < choices[j].rank
	})
	return choices[0].media, true
}

func hasCode(errs gqlerror.List, code persistence.Code) bool {
	for _, e := range errs {
		if c, _ := e.Extensions["code"].(string); c == string(code) {
			return true
		}
	}
	return false
}

// requestErrors is a response for a request refused before execution.
func requestErrors(code persistence.Code, msg string) *graphql.Response {
	return &graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": string(code)}}}}
}

// writeResponse writes resp as media; a response without data (a request
// error) has no data entry at all.
func writeResponse(w http.ResponseWriter, media string, status int, resp *graphql.Response) {
	writeSpliced(w, media, status, resp, nil)
}

// writeSpliced writes resp with the lists of sp spliced into its data (see
// splices). The data gqlgen produced is written as it is: encoding it again
// (json.Marshal validates and compacts a RawMessage byte by byte) would
// double the cost of a large response.
func writeSpliced(w http.ResponseWriter, media string, status int, resp *graphql.Response, sp *splices) {
	head, tail, err := responseParts(resp)
	if err != nil {
		status = http.StatusInternalServerError
		head, tail = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`), nil
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(head)
	if resp.Data != nil && err == nil {
		switch {
		case len(resp.Data) == 0:
			_, _ = w.Write([]byte("null"))
		case sp != nil:
			sp.writeData(w, resp.Data)
		default:
			_, _ = w.Write(resp.Data)
		}
		_, _ = w.Write(tail)
	}
}

// responseParts encodes what surrounds resp.Data, in graphql.Response's
// field order: head ends with `"data":` (or is the whole response when
// there is no data), tail holds the remaining members and the closing brace.
func responseParts(resp *graphql.Response) (head, tail []byte, err error) {
	if resp.Data == nil {
		head, err = json.Marshal(struct {
			Errors     gqlerror.List  `json:"errors,omitempty"`
			Extensions map[string]any `json:"extensions,omitempty"`
		}{resp.Errors, resp.Extensions})
		return head, nil, err
	}
	head = []byte("{")
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			return nil, nil, err
		}
		head = append(append(append(head, `"errors":`...), errs...), ',')
	}
	head = append(head, `"data":`...)
	rest, err := json.Marshal(struct {
		Label      string         `json:"label,omitempty"`
		Path       ast.Path       `json:"path,omitempty"`
		HasNext    *bool          `json:"hasNext,omitempty"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Label, resp.Path, resp.HasNext, resp.Extensions})
	if err != nil {
		return nil, nil, err
	}
	if len(rest) > 2 { // not "{}"
		tail = append([]byte(","), rest[1:]...)
	} else {
		tail = []byte("}")
	}
	return head, tail, nil
}
