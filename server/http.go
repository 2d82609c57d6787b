package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/seshat-graph/seshat/persistence"
)

// Deps are what the HTTP surface needs from main.
type Deps struct {
	Logger  *slog.Logger
	GraphQL http.Handler
	// Ready reports whether the gateway can serve: database reachable and
	// schema current. Its error message is shown on /readyz.
	Ready func(context.Context) error
	// Standby, when set, is the hot standby's state (Store.StandbyStatus),
	// reported on /readyz: a standby that is down or behind leaves the
	// gateway ready, its queries reading from the primary.
	Standby func() persistence.StandbyStatus
	// Auth authenticates requests (see auth.Authenticator.Middleware).
	Auth func(http.Handler) http.Handler
	// Playground and Explorer serve the browser pages; nil leaves them out.
	Playground http.Handler
	Explorer   http.Handler
	// Metrics instruments /graphql and serves /metrics; nil leaves it out.
	Metrics *Metrics
	// MaxBodyBytes limits request bodies; 0 means 64 MiB.
	MaxBodyBytes int64
	Version      VersionInfo
}

// VersionInfo is what /version reports.
type VersionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Go      string `json:"go"`
}

// Handler returns the whole HTTP surface: /graphql, /healthz, /readyz,
// /version, and the browser pages when given.
func Handler(d Deps) http.Handler {
	mux := http.NewServeMux()
	gql := d.GraphQL
	if d.Auth != nil {
		gql = d.Auth(gql)
	}
	max := d.MaxBodyBytes
	if max <= 0 {
		max = 64 << 20
	}
	gql = limitBody(gql, max)
	if d.Metrics != nil {
		gql = d.Metrics.Instrument("graphql", gql)
		mux.Handle("GET /metrics", d.Metrics.Handler())
	}
	mux.Handle("/graphql", gql)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		body, status := map[string]any{"status": "ready"}, http.StatusOK
		if err := d.Ready(ctx); err != nil {
			body, status = map[string]any{"status": "not ready", "reason": err.Error()}, http.StatusServiceUnavailable
		}
		if d.Standby != nil {
			body["standby"] = standbyReport(d.Standby())
		}
		writeJSON(w, status, body)
	})
	v := d.Version
	if v.Go == "" {
		v.Go = runtime.Version()
	}
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, v)
	})
	if d.Playground != nil {
		mux.Handle("/playground/", d.Playground)
		mux.Handle("GET /playground", d.Playground)
		mux.Handle("GET /{$}", http.RedirectHandler("/playground", http.StatusFound))
	}
	if d.Explorer != nil {
		mux.Handle("/explorer/", d.Explorer)
		mux.Handle("GET /explorer", d.Explorer)
	}
	return requestLog(d.Logger, recoverPanics(d.Logger, mux))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func limitBody(next http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{
				"errors": []map[string]any{{"message": "request body too large", "extensions": map[string]string{"code": "INVALID"}}},
			})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// statusWriter remembers the status code for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// requestLog gives every request an id (X-Request-ID, kept when the client
// sent a sane one), puts it in the context for log records, and logs one
// line per request.
func requestLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		next.ServeHTTP(sw, r.WithContext(ctx))
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelWarn
		}
		logger.Log(ctx, level, "http request", "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "bytes", sw.bytes, "duration", time.Since(start))
	})
}

func recoverPanics(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				logger.ErrorContext(r.Context(), "panic in handler", "panic", p, "path", r.URL.Path)
				writeJSON(w, http.StatusInternalServerError, map[string]any{
					"errors": []map[string]any{{"message": "internal error", "extensions": map[string]string{"code": "INTERNAL"}}},
				})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// LogHandler wraps a slog.Handler so records logged with a request's
// context carry its request_id.
type LogHandler struct{ slog.Handler }

// Handle adds request_id when the context has one.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper.
func (h LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return LogHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the wrapper.
func (h LogHandler) WithGroup(name string) slog.Handler {
	return LogHandler{h.Handler.WithGroup(name)}
}
