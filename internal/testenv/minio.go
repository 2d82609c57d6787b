package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/seshat-graph/seshat/internal/testenv/services"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// S3 returns the test MinIO `make services` starts (see services.MinIO),
// failing t when it does not accept connections.
func S3(t testing.TB) services.S3 {
	t.Helper()
	s := services.MinIO()
	host := s.Endpoint
	if _, rest, ok := strings.Cut(s.Endpoint, "://"); ok {
		host = rest
	}
	conn, err := net.DialTimeout("tcp", host, 3*time.Second)
	if err != nil {
		t.Fatalf("MinIO unreachable at %s: %v\nstart it with `make services` (or set SESHAT_S3_ENDPOINT)", s.Endpoint, err)
	}
	conn.Close()
	return s
}

// S3Client returns a client of the test MinIO (see S3), for setup and
// checks a document store does not offer.
func S3Client(t testing.TB) *minio.Client {
	t.Helper()
	return newClient(t, S3(t))
}

// Bucket creates a uniquely named bucket on the test MinIO and returns the
// configuration of a document store "s3://<bucket>/<prefix>" on it; the
// bucket and everything in it are removed when t ends.
func Bucket(t testing.TB, prefix string) objectstore.Config {
	t.Helper()
	return bucket(t, S3(t), prefix, true, false)
}

// MissingBucket is Bucket for a bucket that does not exist yet, for tests
// of creating one; it is removed when t ends if something created it.
func MissingBucket(t testing.TB, prefix string) objectstore.Config {
	t.Helper()
	return bucket(t, S3(t), prefix, false, false)
}

// Keys returns the key of every document in docs, in the order its List
// gives them, failing t when it cannot list.
func Keys(t testing.TB, docs objectstore.Store) []string {
	t.Helper()
	var keys []string
	if err := docs.List(t.Context(), "", func(o objectstore.Object) error {
		keys = append(keys, o.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

func newClient(t testing.TB, s services.S3) *minio.Client {
	t.Helper()
	c, err := s.Client()
	if err != nil {
		t.Fatalf("minio client: %v", err)
	}
	return c
}

// bucket makes a bucket name of t's own on s (and, with create, the
// bucket), removed with its objects when t ends. A private server may be
// gone by then, taking its buckets along; the shared one must answer.
func bucket(t testing.TB, s services.S3, prefix string, create, private bool) objectstore.Config {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	bucket := "seshat-test-" + hex.EncodeToString(b[:])
	client := newClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if create {
		if err := client.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
			t.Fatalf("create bucket %s: %v", bucket, err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ok, err := client.BucketExists(ctx, bucket)
		if err != nil && !private {
			t.Errorf("look up bucket %s: %v", bucket, err)
		}
		if err != nil || !ok {
			return
		}
		// ForceDelete drops the objects too, also those MinIO hides from
		// listings (a key below another object's name).
		if err := client.RemoveBucketWithOptions(ctx, bucket, minio.RemoveBucketOptions{ForceDelete: true}); err != nil {
			t.Errorf("remove bucket %s: %v", bucket, err)
		}
	})
	return objectstore.Config{URL: "s3://" + bucket + "/" + prefix, Endpoint: s.Endpoint, AccessKey: s.AccessKey, SecretKey: s.SecretKey}
}

// MinIO is a MinIO server of one test's own, for tests that stop it (the
// shared one of `make services` must never be). Its data lives in the
// test's temporary directory; it keeps its port across Stop and Start.
type MinIO struct {
	Endpoint  string // 127.0.0.1:<port>
	AccessKey string
	SecretKey string
	bin       string
	data      string
	log       string
	cmd       *exec.Cmd
}

// PrivateMinIO starts a MinIO server from the project's .bin/minio (which
// `make services` builds) on a free loopback port; it is stopped when t ends.
func PrivateMinIO(t testing.TB) *MinIO {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, ".bin", "minio")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("MinIO binary missing at %s: build it with `make services`", bin)
	}
	dir := t.TempDir()
	m := &MinIO{
		Endpoint:  fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		AccessKey: "seshat-private",
		SecretKey: "seshat-private-secret",
		bin:       bin,
		data:      filepath.Join(dir, "data"),
		log:       filepath.Join(dir, "minio.log"),
	}
	t.Cleanup(func() { m.Stop(t) })
	m.Start(t)
	return m
}

// Start starts the server (again) and waits until it is ready.
func (m *MinIO) Start(t testing.TB) {
	t.Helper()
	logFile, err := os.OpenFile(m.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(m.bin, "server", m.data, "--quiet", "--address", m.Endpoint, "--console-address", fmt.Sprintf("127.0.0.1:%d", freePort(t)))
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.AccessKey, "MINIO_ROOT_PASSWORD="+m.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CALLHOME_ENABLE=off")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start private MinIO: %v", err)
	}
	m.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + m.Endpoint + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	out, _ := os.ReadFile(m.log)
	t.Fatalf("private MinIO did not become ready on %s:\n%s", m.Endpoint, out)
}

// Stop kills the server and waits for it to exit; a stopped server is left alone.
func (m *MinIO) Stop(t testing.TB) {
	t.Helper()
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Kill()
	_ = m.cmd.Wait()
	m.cmd = nil
}

// Bucket creates a uniquely named bucket on this server and returns the
// configuration of a document store "s3://<bucket>/<prefix>" on it.
func (m *MinIO) Bucket(t testing.TB, prefix string) objectstore.Config {
	t.Helper()
	return bucket(t, services.S3{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey}, prefix, true, true)
}

// moduleRoot is the directory of the go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
