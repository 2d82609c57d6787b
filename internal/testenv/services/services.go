// Package services locates the PostgreSQL cluster and the MinIO server that
// `make services` starts (scripts/services.sh), for the tests, through
// package testenv, and for the benchmarks of package bench. Package testenv
// takes a testing.TB everywhere and fails the test; this package does not
// import testing, so bench and its command can share it without linking
// test code.
package services

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/seshat-graph/seshat/migrations"
)

// DefaultAdminURL is the maintenance database of the cluster `make
// services` starts, used when SESHAT_TEST_DATABASE_URL is unset.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable"

// AdminURL is the URL of a database on the cluster that may create and drop
// databases: SESHAT_TEST_DATABASE_URL, or DefaultAdminURL.
func AdminURL() string {
	return envOr("SESHAT_TEST_DATABASE_URL", DefaultAdminURL)
}

// DefaultStandbyURL and DefaultPgBouncerURL are the maintenance database
// through the hot standby and the pgbouncer `make services` starts, used
// when SESHAT_TEST_STANDBY_URL or SESHAT_TEST_PGBOUNCER_URL is unset.
const (
	DefaultStandbyURL   = "postgres://postgres@127.0.0.1:54331/postgres?sslmode=disable"
	DefaultPgBouncerURL = "postgres://postgres@127.0.0.1:54330/postgres?sslmode=disable"
)

// StandbyURL is the URL of a database on the streaming-replication hot
// standby of the AdminURL cluster: SESHAT_TEST_STANDBY_URL, or
// DefaultStandbyURL.
func StandbyURL() string {
	return envOr("SESHAT_TEST_STANDBY_URL", DefaultStandbyURL)
}

// PgBouncerURL is the URL of a database through the pgbouncer (transaction
// pooling) in front of the AdminURL cluster: SESHAT_TEST_PGBOUNCER_URL, or
// DefaultPgBouncerURL.
func PgBouncerURL() string {
	return envOr("SESHAT_TEST_PGBOUNCER_URL", DefaultPgBouncerURL)
}

// DatabaseURL is adminURL with its database replaced by name.
func DatabaseURL(adminURL, name string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("database URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// S3 is the endpoint and credentials of a MinIO server.
type S3 struct {
	Endpoint, AccessKey, SecretKey string
}

// Client returns a client of the server; Endpoint is "host:port" or a URL
// (https:// for TLS).
func (s S3) Client() (*minio.Client, error) {
	host, secure := s.Endpoint, false
	if scheme, rest, ok := strings.Cut(s.Endpoint, "://"); ok {
		host, secure = rest, scheme == "https"
	}
	return minio.New(host, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""), Secure: secure})
}

// MinIO is the MinIO server `make services` starts; SESHAT_S3_ENDPOINT,
// SESHAT_S3_ACCESS_KEY and SESHAT_S3_SECRET_KEY override each part.
func MinIO() S3 {
	return S3{
		Endpoint:  envOr("SESHAT_S3_ENDPOINT", "127.0.0.1:9000"),
		AccessKey: envOr("SESHAT_S3_ACCESS_KEY", "seshat"),
		SecretKey: envOr("SESHAT_S3_SECRET_KEY", "seshat-dev-secret"),
	}
}

// MigrationsHash is the hex SHA-256 of the embedded migration set (each
// file's path, length and content), for naming a database built from it: a
// changed migration set gets a database of its own.
func MigrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.Files(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.Files(), path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
