package objectstore_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
)

// TestS3GetOneRequest: reading a document (Get, GetStream) sends one GET
// to the server, no HEAD before it (a sync reads every document so), and
// a missing one is NOT_FOUND from that request. Requests go through a
// proxy in front of MinIO that counts them by method.
func TestS3GetOneRequest(t *testing.T) {
	t.Parallel()
	cfg := testenv.Bucket(t, "thoth/data")
	target, err := url.Parse("http://" + strings.TrimPrefix(cfg.Endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	methods := map[string]int{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	direct := proxy.Director
	proxy.Director = func(r *http.Request) {
		host := r.Host // what the client signed
		direct(r)
		r.Host = host
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		methods[r.Method]++
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	counted := cfg
	counted.Endpoint = strings.TrimPrefix(srv.URL, "http://")
	store := open(t, counted)
	ctx := t.Context()
	if err := store.Put(ctx, "solver/solver-fedora-31-py37-x", []byte(`{"a": 1}`)); err != nil {
		t.Fatal(err)
	}
	reset := func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		seen := methods
		methods = map[string]int{}
		return seen
	}
	reset()
	raw, err := store.Get(ctx, "solver/solver-fedora-31-py37-x")
	if err != nil || string(raw) != `{"a": 1}` {
		t.Fatalf("Get = %q, %v", raw, err)
	}
	if seen := reset(); seen["GET"] != 1 || len(seen) != 1 {
		t.Errorf("Get sent %v, want one GET", seen)
	}
	r, err := store.GetStream(ctx, "solver/solver-fedora-31-py37-x")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := r.Read(buf)
	r.Close()
	if string(buf[:n]) != `{"a": 1}` {
		t.Errorf("GetStream read %q", buf[:n])
	}
	if seen := reset(); seen["GET"] != 1 || len(seen) != 1 {
		t.Errorf("GetStream sent %v, want one GET", seen)
	}
	for name, get := range map[string]func() error{
		"Get":       func() error { _, err := store.Get(ctx, "solver/missing"); return err },
		"GetStream": func() error { _, err := store.GetStream(ctx, "solver/missing"); return err },
	} {
		if err := get(); persistence.ErrorCode(err) != persistence.CodeNotFound {
			t.Errorf("%s of a missing key: %v, want NOT_FOUND", name, err)
		}
		if seen := reset(); seen["GET"] != 1 || len(seen) != 1 {
			t.Errorf("%s of a missing key sent %v, want one GET", name, seen)
		}
	}
}
