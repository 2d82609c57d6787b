package objectstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

func open(t testing.TB, cfg objectstore.Config) objectstore.Store {
	t.Helper()
	s, err := objectstore.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("open %v: %v", cfg, err)
	}
	t.Logf("store %s", s)
	return s
}

// backends make, for one test, a fresh location and return a function
// opening stores on it for a deployment ("" for none).
var backends = []struct {
	name string
	new  func(t *testing.T) func(deployment string) objectstore.Store
}{
	{"dir", func(t *testing.T) func(string) objectstore.Store {
		dir := t.TempDir()
		return func(deployment string) objectstore.Store {
			return open(t, objectstore.Config{URL: "dir://" + dir, Deployment: deployment})
		}
	}},
	{"s3", func(t *testing.T) func(string) objectstore.Store {
		cfg := testenv.Bucket(t, "thoth/data")
		return func(deployment string) objectstore.Store {
			cfg := cfg
			cfg.Deployment = deployment
			return open(t, cfg)
		}
	}},
}

// conformance is the contract both backends keep.
var conformance = []struct {
	name string
	run  func(t *testing.T, open func(deployment string) objectstore.Store)
}{
	{"PutGetRoundtrip", testPutGet},
	{"StreamRoundtrip", testStream},
	{"JSONRoundtrip", testJSON},
	{"MissingIsNotFound", testMissing},
	{"Exists", testExists},
	{"Delete", testDelete},
	{"ListLexicalPaged", testListLexical},
	{"ListStops", testListStops},
	{"ListCanceled", testListCanceled},
	{"DeploymentIsolation", testDeployments},
	{"InvalidKeys", testInvalidKeys},
	{"CanceledContext", testCanceled},
}

func TestConformance(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range conformance {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, b.new(t))
				})
			}
		})
	}
}

func wantCode(t testing.TB, err error, want persistence.Code, what string) {
	t.Helper()
	if got := persistence.ErrorCode(err); got != want {
		t.Errorf("%s: error code %q (err %v), want %q", what, got, err, want)
	}
}

// failingReader yields n bytes, then fails.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("the source broke")
	}
	k := min(len(p), r.n)
	clear(p[:k])
	r.n -= k
	return k, nil
}

// testStream: a blob larger than one S3 part goes in and comes out whole;
// a source that fails stores nothing and leaves the old content.
func testStream(t *testing.T, open func(string) objectstore.Store) {
	s, ctx := open(""), t.Context()
	blob := make([]byte, 17<<20+123) // more than one 16 MiB part
	for i := range blob {
		blob[i] = byte(i * 7)
	}
	n, err := s.PutStream(ctx, "graph-backup/pg_dump-1.dump", bytes.NewReader(blob))
	if err != nil || n != int64(len(blob)) {
		t.Fatalf("put stream: %d bytes, %v; want %d", n, err, len(blob))
	}
	r, err := s.GetStream(ctx, "graph-backup/pg_dump-1.dump")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, blob) {
		t.Fatalf("get stream: %d bytes (%v), want the %d put", len(got), err, len(blob))
	}
	if _, err := s.PutStream(ctx, "graph-backup/pg_dump-1.dump", &failingReader{n: 1 << 20}); err == nil {
		t.Error("a failing source was stored")
	}
	if o, err := s.Stat(ctx, "graph-backup/pg_dump-1.dump"); err != nil || o.Size != int64(len(blob)) {
		t.Errorf("after a failed put the object is %+v (%v), want the old %d bytes", o, err, len(blob))
	}
	if _, err := s.PutStream(ctx, "graph-backup/new.dump", &failingReader{n: 10}); err == nil {
		t.Error("a failing source was stored")
	}
	if ok, err := s.Exists(ctx, "graph-backup/new.dump"); ok || err != nil {
		t.Errorf("a failed put left an object (%v)", err)
	}
	_, err = s.GetStream(ctx, "graph-backup/missing.dump")
	wantCode(t, err, persistence.CodeNotFound, "get stream of a missing key")
	_, err = s.PutStream(ctx, "../escape", bytes.NewReader(nil))
	wantCode(t, err, persistence.CodeInvalid, "put stream of a bad key")
}

func testPutGet(t *testing.T, open func(string) objectstore.Store) {
	s, ctx := open(""), t.Context()
	blobs := map[string][]byte{
		"blob/binary":            {0, 1, 2, 0xff, '\n'},
		"blob/empty":             {},
		"inspections/i-1/a/b/c":  []byte("deep"),
		"unicode/ünïcödé name":   []byte("ok"),
		"solver/solver-rhel-8-1": []byte(`{"k": 1}`),
	}
	for key, data := range blobs {
		if err := s.Put(ctx, key, data); err != nil {
			t.Fatalf("put %q: %v", key, err)
		}
	}
	for key, data := range blobs {
		got, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("get %q: %v", key, err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("get %q = %q, want %q", key, got, data)
		}
		obj, err := s.Stat(ctx, key)
		if err != nil {
			t.Fatalf("stat %q: %v", key, err)
		}
		if obj.Key != key || obj.Size != int64(len(data)) || obj.ETag == "" || obj.Modified.IsZero() {
			t.Errorf("stat %q = %+v", key, obj)
		}
	}
	// Overwrite replaces the content and the ETag.
	before, _ := s.Stat(ctx, "blob/binary")
	if err := s.Put(ctx, "blob/binary", []byte("second version")); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	got, err := s.Get(ctx, "blob/binary")
	if err != nil || string(got) != "second version" {
		t.Errorf("get after overwrite = %q, %v", got, err)
	}
	if after, _ := s.Stat(ctx, "blob/binary"); after.ETag == before.ETag {
		t.Errorf("ETag unchanged by overwrite: %q", after.ETag)
	}
}

type doc struct {
	Metadata struct {
		DocumentID string `json:"document_id"`
		Version    string `json:"analyzer_version"`
	} `json:"metadata"`
	Result map[string][]string `json:"result"`
}

func testJSON(t *testing.T, open func(string) objectstore.Store) {
	s, ctx := open(""), t.Context()
	var in doc
	in.Metadata.DocumentID = "solver-rhel-8-py38-000000000000-0123456789abcdef"
	in.Metadata.Version = "1.5.1"
	in.Result = map[string][]string{"tree": {"a", "b"}}
	key, err := objectstore.KeyFor(in.Metadata.DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	if err := objectstore.PutJSON(ctx, s, key, in); err != nil {
		t.Fatalf("put json: %v", err)
	}
	var out doc
	if err := objectstore.GetJSON(ctx, s, key, &out); err != nil {
		t.Fatalf("get json: %v", err)
	}
	if out.Metadata != in.Metadata || !slices.Equal(out.Result["tree"], in.Result["tree"]) {
		t.Errorf("json roundtrip = %+v, want %+v", out, in)
	}

	// Content that is not JSON, and values that cannot be JSON, are INVALID.
	if err := s.Put(ctx, "adviser/adviser-broken", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	wantCode(t, objectstore.GetJSON(ctx, s, "adviser/adviser-broken", &out), persistence.CodeInvalid, "get json of broken document")
	wantCode(t, objectstore.PutJSON(ctx, s, "adviser/adviser-chan", make(chan int)), persistence.CodeInvalid, "put json of a channel")
	wantCode(t, objectstore.GetJSON(ctx, s, "adviser/adviser-missing", &out), persistence.CodeNotFound, "get json of missing document")
}

func testMissing(t *testing.T, open func(string) objectstore.Store) {
	s, ctx := open(""), t.Context()
	if err := s.Put(ctx, "solver/present", []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"solver/absent", "absent", "solver/present/below", "solver"} {
		_, err := s.Get(ctx, key)
		wantCode(t, err, persistence.CodeNotFound, "get "+key)
		_, err = s.Stat(ctx, key)
		wantCode(t, err, persistence.CodeNotFound, "stat "+key)
		wantCode(t, s.Delete(ctx, key), persistence.CodeNotFound, "delete "+key)
	}
}

func testExists(t *testing.T, open func(string) objectstore.Store) {
	s, ctx := open(""), t.Context()
	if err := s.Put(ctx, "analysis/package-extract-1", []byte("x")); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]bool{
		"analysis/package-extract-1":   true,
		"analysis/package-extract-2":   false,
		"analysis":                     false, // a folder is not a document
		"analysis/package-extract-1/x": false,
	} {
		got, err := s.Exists(ctx, key)
		if err != nil || got != want {
			t.Errorf("exists %q = %v, %v; want %v", key, got, err, want)
		}
	}
}

func testDelete(t *testing.T, open func(string) objectstore.Store) {
	s, ctx := open(""), t.Context()
	for _, key := range []string{"a/b/c", "a/b/d"} {
		if err := s.Put(ctx, key, []byte(key)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, "a/b/c"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err := s.Get(ctx, "a/b/c")
	wantCode(t, err, persistence.CodeNotFound, "get after delete")
	wantCode(t, s.Delete(ctx, "a/b/c"), persistence.CodeNotFound, "second delete")
	if got, err := s.Get(ctx, "a/b/d"); err != nil || string(got) != "a/b/d" {
		t.Errorf("sibling after delete = %q, %v", got, err)
	}
	// Once a folder's last document is gone its name is free, as on S3.
	if err := s.Delete(ctx, "a/b/d"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := s.Put(ctx, "a/b", []byte("now a document")); err != nil {
		t.Errorf("put where an emptied folder was: %v", err)
	}
	if keys := listKeys(t, s, ""); !slices.Equal(keys, []string{"a/b"}) {
		t.Errorf("list after deletes = %q", keys)
	}
}

func listKeys(t testing.TB, s objectstore.Store, prefix string) []string {
	t.Helper()
	var keys []string
	err := s.List(t.Context(), prefix, func(o objectstore.Object) error {
		keys = append(keys, o.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("list %q: %v", prefix, err)
	}
	return keys
}

// putAll stores each key with its own name as content, from a pool of workers.
func putAll(t testing.TB, s objectstore.Store, keys []string) {
	t.Helper()
	work := make(chan string)
	errs := make(chan error, len(keys))
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for key := range work {
				if err := s.Put(t.Context(), key, []byte(key)); err != nil {
					errs <- fmt.Errorf("put %q: %w", key, err)
				}
			}
		})
	}
	for _, key := range keys {
		work <- key
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func testListLexical(t *testing.T, open func(string) objectstore.Store) {
	s := open("")
	// More keys than one S3 page (1,000) under the prefix, plus keys whose
	// order differs between a per-folder walk and byte-wise key order
	// ('-' < '/' < '0'), and keys outside the prefix.
	var keys []string
	for i := range 1100 {
		keys = append(keys, fmt.Sprintf("solver/solver-fedora-31-py37-%05d", i))
	}
	keys = append(keys,
		"solver/solver-fedora-31-py37-00007-b/nested",
		"solver/solver-fedora-31-py37-00007-b0",
		"solver/solver-fedora-31-py37-00007.json",
		"solver/a-c", "solver/a/b", "solver/a0", "solver/a.b", "solver/a/a/a",
	)
	others := []string{"solver-x", "solvers/x", "adviser/adviser-1", "analysis/package-extract-1", "a"}
	putAll(t, s, append(slices.Clone(keys), others...))
	slices.Sort(keys)

	got := listKeys(t, s, "solver/")
	if !slices.Equal(got, keys) {
		t.Fatalf("list solver/: %d keys, want %d; first difference at %d", len(got), len(keys), firstDiff(got, keys))
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(keys), others...)))
	if got := listKeys(t, s, ""); !slices.Equal(got, all) {
		t.Errorf("list all: %d keys, want %d; first difference at %d", len(got), len(all), firstDiff(got, all))
	}
	// A prefix need not end at a folder.
	var want []string
	for _, k := range keys {
		if strings.HasPrefix(k, "solver/solver-fedora-31-py37-0000") {
			want = append(want, k)
		}
	}
	if got := listKeys(t, s, "solver/solver-fedora-31-py37-0000"); !slices.Equal(got, want) {
		t.Errorf("list partial prefix = %q, want %q", got, want)
	}
	if got := listKeys(t, s, "solver"); len(got) != len(keys)+2 { // + solver-x, solvers/x
		t.Errorf("list %q: %d keys, want %d", "solver", len(got), len(keys)+2)
	}
	for _, prefix := range []string{"nothing/here/", "solver/a0/", "solver/a0/x"} {
		if got := listKeys(t, s, prefix); len(got) != 0 {
			t.Errorf("list %q = %q, want nothing", prefix, got)
		}
	}
	// Objects carry the metadata Stat returns.
	err := s.List(t.Context(), "solver/a/", func(o objectstore.Object) error {
		st, err := s.Stat(t.Context(), o.Key)
		if err != nil {
			return err
		}
		if o.Size != int64(len(o.Key)) || o.ETag == "" || o.Modified.IsZero() || o.ETag != st.ETag || o.Size != st.Size {
			t.Errorf("listed object %+v, stat %+v", o, st)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func testListStops(t *testing.T, open func(string) objectstore.Store) {
	s := open("")
	putAll(t, s, []string{"k/1", "k/2", "k/3", "k/4", "k/5"})
	stop := errors.New("enough")
	var seen []string
	err := s.List(t.Context(), "k/", func(o objectstore.Object) error {
		seen = append(seen, o.Key)
		if len(seen) == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("list returned %v, want the callback's error", err)
	}
	if !slices.Equal(seen, []string{"k/1", "k/2"}) {
		t.Errorf("callback saw %q after stopping", seen)
	}
}

// testListCanceled checks that a listing cut short by its context reports
// an error rather than looking complete.
func testListCanceled(t *testing.T, open func(string) objectstore.Store) {
	s := open("")
	putAll(t, s, []string{"k/1", "k/2", "k/3"})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	n := 0
	err := s.List(ctx, "k/", func(objectstore.Object) error {
		n++
		cancel()
		return nil
	})
	if err == nil && n < 3 {
		t.Errorf("canceled listing saw %d of 3 objects and returned no error", n)
	}
	if err != nil {
		wantCode(t, err, persistence.CodeUnavailable, "canceled list")
	}
}

func testDeployments(t *testing.T, open func(string) objectstore.Store) {
	ctx := t.Context()
	alpha, beta, root := open("alpha"), open("beta"), open("")
	if err := alpha.Put(ctx, "solver/solver-x", []byte("alpha")); err != nil {
		t.Fatal(err)
	}
	if err := beta.Put(ctx, "solver/solver-x", []byte("beta")); err != nil {
		t.Fatal(err)
	}
	if err := beta.Put(ctx, "solver/solver-y", []byte("beta only")); err != nil {
		t.Fatal(err)
	}
	if got, err := alpha.Get(ctx, "solver/solver-x"); err != nil || string(got) != "alpha" {
		t.Errorf("alpha get = %q, %v", got, err)
	}
	if ok, err := alpha.Exists(ctx, "solver/solver-y"); err != nil || ok {
		t.Errorf("alpha sees beta's document: %v, %v", ok, err)
	}
	if got := listKeys(t, alpha, ""); !slices.Equal(got, []string{"solver/solver-x"}) {
		t.Errorf("alpha list = %q", got)
	}
	// Thoth's layout: <prefix>/<deployment>/<kind>/<id>.
	want := []string{"alpha/solver/solver-x", "beta/solver/solver-x", "beta/solver/solver-y"}
	if got := listKeys(t, root, ""); !slices.Equal(got, want) {
		t.Errorf("root list = %q, want %q", got, want)
	}
	if got, err := root.Get(ctx, "beta/solver/solver-y"); err != nil || string(got) != "beta only" {
		t.Errorf("root get = %q, %v", got, err)
	}
	if err := alpha.Delete(ctx, "solver/solver-x"); err != nil {
		t.Fatal(err)
	}
	if got, err := beta.Get(ctx, "solver/solver-x"); err != nil || string(got) != "beta" {
		t.Errorf("beta after alpha's delete = %q, %v", got, err)
	}
	if !strings.Contains(alpha.String(), "alpha") {
		t.Errorf("String() = %q does not name the deployment", alpha.String())
	}
}

func testInvalidKeys(t *testing.T, open func(string) objectstore.Store) {
	s, ctx := open(""), t.Context()
	bad := []string{
		"", "/abs", "/", "a/../b", "..", "../x", "a/..", ".", "./a", "a/./b", "a//b", "a/", "//",
		".seshat-tmp-123", "a/.seshat-tmp-x", "nul\x00byte", "bad\xffutf8", strings.Repeat("k", 1025),
	}
	for _, key := range bad {
		wantCode(t, s.Put(ctx, key, []byte("x")), persistence.CodeInvalid, fmt.Sprintf("put %q", key))
		_, err := s.Get(ctx, key)
		wantCode(t, err, persistence.CodeInvalid, fmt.Sprintf("get %q", key))
		_, err = s.Stat(ctx, key)
		wantCode(t, err, persistence.CodeInvalid, fmt.Sprintf("stat %q", key))
		_, err = s.Exists(ctx, key)
		wantCode(t, err, persistence.CodeInvalid, fmt.Sprintf("exists %q", key))
		wantCode(t, s.Delete(ctx, key), persistence.CodeInvalid, fmt.Sprintf("delete %q", key))
	}
	for _, prefix := range []string{"/", "/abs", "../", "a/../", "a//", "./"} {
		err := s.List(ctx, prefix, func(objectstore.Object) error { return nil })
		wantCode(t, err, persistence.CodeInvalid, fmt.Sprintf("list %q", prefix))
	}
	if got := listKeys(t, s, ""); len(got) != 0 {
		t.Errorf("invalid keys left objects: %q", got)
	}
}

func testCanceled(t *testing.T, open func(string) objectstore.Store) {
	s := open("")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	wantCode(t, s.Put(ctx, "k", []byte("x")), persistence.CodeUnavailable, "put with canceled context")
	_, err := s.Get(ctx, "k")
	wantCode(t, err, persistence.CodeUnavailable, "get with canceled context")
	wantCode(t, s.List(ctx, "", func(objectstore.Object) error { return nil }), persistence.CodeUnavailable, "list with canceled context")
}

// TestS3ContentType checks what S3 clients other than Seshat see.
func TestS3ContentType(t *testing.T) {
	t.Parallel()
	cfg := testenv.Bucket(t, "")
	s := open(t, cfg)
	ctx, client := t.Context(), testenv.S3Client(t)
	bucket := strings.TrimSuffix(strings.TrimPrefix(cfg.URL, "s3://"), "/")
	for key, tc := range map[string]struct {
		data []byte
		want string
	}{
		"solver/solver-x":   {[]byte(`{"metadata": {}}`), "application/json"},
		"solver/spaced":     {[]byte("\n  {}"), "application/json"},
		"results/data.json": {[]byte(`[]`), "application/json"},
		"build/log":         {[]byte("plain log"), "application/octet-stream"},
	} {
		if err := s.Put(ctx, key, tc.data); err != nil {
			t.Fatal(err)
		}
		info, err := client.StatObject(ctx, bucket, key, minio.StatObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if info.ContentType != tc.want {
			t.Errorf("%s: content type %q, want %q", key, info.ContentType, tc.want)
		}
	}
}

func TestS3MissingBucket(t *testing.T) {
	t.Parallel()
	cfg := testenv.MissingBucket(t, "p")
	_, err := objectstore.Open(t.Context(), cfg)
	wantCode(t, err, persistence.CodeNotFound, "open without the bucket")

	// On an unchecked store, methods report the missing bucket.
	s, err := objectstore.NewS3Unchecked(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(t.Context(), "k")
	wantCode(t, err, persistence.CodeNotFound, "get without the bucket")
	wantCode(t, s.Put(t.Context(), "k", []byte("x")), persistence.CodeNotFound, "put without the bucket")
	wantCode(t, s.List(t.Context(), "", func(objectstore.Object) error { return nil }), persistence.CodeNotFound, "list without the bucket")

	// CreateBucket makes it; opening again finds it.
	cfg.CreateBucket = true
	s = open(t, cfg)
	if err := s.Put(t.Context(), "k", []byte("x")); err != nil {
		t.Errorf("put in created bucket: %v", err)
	}
	s = open(t, cfg)
	if got, err := s.Get(t.Context(), "k"); err != nil || string(got) != "x" {
		t.Errorf("get after reopening = %q, %v", got, err)
	}
}

// TestS3Unavailable points a store at a port nobody listens on.
func TestS3Unavailable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := objectstore.Config{URL: "s3://seshat-down/p", Endpoint: addr, AccessKey: "a", SecretKey: "b"}

	const deadline = 2 * time.Second
	call := func(name string, f func(ctx context.Context) error) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), deadline)
			defer cancel()
			start := time.Now()
			err := f(ctx)
			wantCode(t, err, persistence.CodeUnavailable, name)
			if took := time.Since(start); took > deadline+5*time.Second {
				t.Errorf("%s ignored its context: returned after %v", name, took)
			}
			if err != nil && !strings.Contains(err.Error(), addr) {
				t.Errorf("%s: message %q does not name the endpoint", name, err)
			}
		})
	}
	call("Open", func(ctx context.Context) error {
		_, err := objectstore.Open(ctx, cfg)
		return err
	})
	s, err := objectstore.NewS3Unchecked(cfg)
	if err != nil {
		t.Fatal(err)
	}
	call("Get", func(ctx context.Context) error { _, err := s.Get(ctx, "k"); return err })
	call("Put", func(ctx context.Context) error { return s.Put(ctx, "k", []byte("x")) })
	call("Exists", func(ctx context.Context) error { _, err := s.Exists(ctx, "k"); return err })
	call("List", func(ctx context.Context) error {
		return s.List(ctx, "", func(objectstore.Object) error { return nil })
	})
}

func TestOpenInvalid(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s3 := func(c objectstore.Config) objectstore.Config {
		if c.URL == "" {
			c.URL = "s3://bucket/prefix"
		}
		if c.Endpoint == "" {
			c.Endpoint = "127.0.0.1:9000"
		}
		return c
	}
	for name, cfg := range map[string]objectstore.Config{
		"empty URL":              {},
		"no scheme":              {URL: "/var/lib/seshat"},
		"unknown scheme":         {URL: "ftp://host/x"},
		"dir without path":       {URL: "dir://"},
		"dir is a file":          {URL: "dir://" + file},
		"dir with query":         {URL: "dir:///tmp?x=1"},
		"s3 without bucket":      s3(objectstore.Config{URL: "s3:///prefix"}),
		"s3 bad bucket":          s3(objectstore.Config{URL: "s3://Bad_Bucket!/p"}),
		"s3 credentials in URL":  s3(objectstore.Config{URL: "s3://user:pass@bucket/p"}),
		"s3 port in URL":         s3(objectstore.Config{URL: "s3://bucket:9000/p"}),
		"s3 dotdot prefix":       s3(objectstore.Config{URL: "s3://bucket/a/../b"}),
		"s3 without endpoint":    {URL: "s3://bucket/p"},
		"endpoint scheme":        s3(objectstore.Config{Endpoint: "ftp://host:21"}),
		"endpoint path":          s3(objectstore.Config{Endpoint: "http://host:9000/minio"}),
		"endpoint no host":       s3(objectstore.Config{Endpoint: "http://"}),
		"endpoint credentials":   s3(objectstore.Config{Endpoint: "http://u:p@host:9000"}),
		"access key only":        s3(objectstore.Config{AccessKey: "seshat"}),
		"secret key only":        s3(objectstore.Config{SecretKey: "hush-4b1d"}),
		"deployment with slash":  {URL: "dir:///tmp", Deployment: "a/b"},
		"deployment dotdot":      {URL: "dir:///tmp", Deployment: ".."},
		"s3 deployment reserved": s3(objectstore.Config{Deployment: ".seshat-tmp-x"}),
	} {
		_, err := objectstore.Open(t.Context(), cfg)
		wantCode(t, err, persistence.CodeInvalid, name)
		if err != nil && cfg.SecretKey != "" && strings.Contains(err.Error(), cfg.SecretKey) {
			t.Errorf("%s: error %q shows the secret key", name, err)
		}
	}
}

func TestOpenDir(t *testing.T) {
	ctx := t.Context()
	missing := filepath.Join(t.TempDir(), "missing")
	_, err := objectstore.Open(ctx, objectstore.Config{URL: "dir://" + missing})
	wantCode(t, err, persistence.CodeNotFound, "open a missing directory")

	s := open(t, objectstore.Config{URL: "dir://" + missing, CreateBucket: true, Deployment: "ocp4-stage"})
	if want := "dir://" + missing + "/ocp4-stage"; s.String() != want {
		t.Errorf("String() = %q, want %q", s, want)
	}
	if err := s.Put(ctx, "adviser/adviser-1", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(missing, "ocp4-stage", "adviser", "adviser-1")); err != nil {
		t.Errorf("document is not at its path: %v", err)
	}

	// A relative path is resolved against the working directory at Open.
	t.Chdir(filepath.Dir(missing))
	rel := open(t, objectstore.Config{URL: "dir://missing/ocp4-stage"})
	if got, err := rel.Get(ctx, "adviser/adviser-1"); err != nil || string(got) != "x" {
		t.Errorf("relative store get = %q, %v", got, err)
	}
	if !strings.HasPrefix(rel.String(), "dir:///") {
		t.Errorf("relative store String() = %q, want an absolute path", rel)
	}

	// A document and a folder cannot share a name on disk.
	wantCode(t, s.Put(ctx, "adviser/adviser-1/x", []byte("y")), persistence.CodeConflict, "put below a document")
	wantCode(t, s.Put(ctx, "adviser", []byte("y")), persistence.CodeConflict, "put over a folder")

	// Temporary files of interrupted writes are not listed.
	if err := os.WriteFile(filepath.Join(missing, "ocp4-stage", "adviser", ".seshat-tmp-999"), []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := listKeys(t, s, ""); !slices.Equal(got, []string{"adviser/adviser-1"}) {
		t.Errorf("list = %q", got)
	}
}

func TestStringHasNoSecret(t *testing.T) {
	cfg := objectstore.Config{URL: "s3://bucket/prefix", Endpoint: "https://s3.example.com", AccessKey: "AKID", SecretKey: "very-secret-key", Deployment: "prod"}
	s, err := objectstore.NewS3Unchecked(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []string{s.String(), cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg)} {
		if strings.Contains(got, cfg.SecretKey) {
			t.Errorf("%q shows the secret key", got)
		}
	}
	if want := "s3://bucket/prefix/prod/ at https://s3.example.com"; s.String() != want {
		t.Errorf("String() = %q, want %q", s, want)
	}
}

func TestKeyFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ id, key string }{
		{"solver-rhel-8-py38-210922081220-a9f2e9e2b9f0a5a1", "solver/solver-rhel-8-py38-210922081220-a9f2e9e2b9f0a5a1"},
		{"solver-fedora-31-py37-012b745d", "solver/solver-fedora-31-py37-012b745d"},
		{"revsolver-200713130233-1e8d27c5f3b1b2a4", "revsolver/revsolver-200713130233-1e8d27c5f3b1b2a4"},
		{"adviser-220131050913-b7c4ef0fc532ac45", "adviser/adviser-220131050913-b7c4ef0fc532ac45"},
		{"package-extract-210810153022-8fd9c2b4bbdc7b3c", "analysis/package-extract-210810153022-8fd9c2b4bbdc7b3c"},
		{"provenance-checker-210301153022-aa", "provenance-checker/provenance-checker-210301153022-aa"},
		{"dependency-monkey-200713130233-ee", "dependency-monkey-reports/dependency-monkey-200713130233-ee"},
		{"inspection-tfcpu-matmul-5e5a1563", "inspections/inspection-tfcpu-matmul-5e5a1563"},
		{"security-indicator-211124154025-de8d82a3227adc99", "security-indicators/security-indicator-211124154025-de8d82a3227adc99"},
	} {
		got, err := objectstore.KeyFor(tc.id)
		if err != nil || got != tc.key {
			t.Errorf("KeyFor(%q) = %q, %v; want %q", tc.id, got, err, tc.key)
		}
		if id := objectstore.DocumentID(got); id != tc.id {
			t.Errorf("DocumentID(%q) = %q, want %q", got, id, tc.id)
		}
	}
	for _, id := range []string{"", "solver-", "unknown-123", "Solver-x", "solver/x", "../solver-x", "solver-x/..", "kebechet-1", ".."} {
		_, err := objectstore.KeyFor(id)
		wantCode(t, err, persistence.CodeInvalid, fmt.Sprintf("KeyFor(%q)", id))
	}
}

func TestDocumentID(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"solver/solver-fedora-31-py37-012b745d":                               "solver-fedora-31-py37-012b745d",
		"adviser/adviser-04ab56d6":                                            "adviser-04ab56d6",
		"inspections/inspection-tfcpu-matmul-5e5a1563/results/0/result":       "inspection-tfcpu-matmul-5e5a1563",
		"inspections/inspection-tfcpu-matmul-5e5a1563/build/specification":    "inspection-tfcpu-matmul-5e5a1563",
		"inspections/inspection-tfcpu-matmul-5e5a1563":                        "inspection-tfcpu-matmul-5e5a1563",
		"security-indicators/security-indicator-211124154025-de8d82a3/bandit": "security-indicator-211124154025-de8d82a3",
		"security-indicators/security-indicator-211124154025-de8d82a3/cloc":   "security-indicator-211124154025-de8d82a3",
		"dependency-monkey-reports/dependency-monkey-1":                       "dependency-monkey-1",
		"solver-rhel-8-py38-1":                                                "solver-rhel-8-py38-1",
		"ocp4-stage/solver/solver-rhel-8-py38-1":                              "solver-rhel-8-py38-1",
		"":                                                                    "",
	} {
		if got := objectstore.DocumentID(key); got != want {
			t.Errorf("DocumentID(%q) = %q, want %q", key, got, want)
		}
	}
}
