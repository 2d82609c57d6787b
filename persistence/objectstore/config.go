package objectstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/seshat-graph/seshat/persistence"
)

// Config says where a Store keeps its documents. Main fills it from the
// environment (SESHAT_DOCUMENT_STORE, SESHAT_S3_*, or Thoth's THOTH_CEPH_*).
type Config struct {
	// URL is "dir:///abs/path", "dir://relative/path" (to the working
	// directory) or "s3://bucket/prefix" (prefix optional).
	URL string
	// Endpoint is the S3 server: "host:port" or "http://host:port" (plain
	// HTTP), or "https://host:port" (TLS). Required for s3://, ignored for dir://.
	Endpoint string
	// AccessKey and SecretKey are the S3 credentials; both empty means
	// anonymous requests.
	AccessKey, SecretKey string
	// Deployment, when set, is one more folder below the root, as Thoth
	// lays out <bucket>/<prefix>/<deployment>/ (THOTH_DEPLOYMENT_NAME).
	Deployment string
	// Region is the S3 region; empty lets the client discover it.
	Region string
	// CreateBucket makes Open create a missing bucket (or the directory of
	// a dir:// store) instead of failing with NOT_FOUND.
	CreateBucket bool
}

// String describes the configuration without its secret key.
func (c Config) String() string {
	secret := ""
	if c.SecretKey != "" {
		secret = "[redacted]"
	}
	return fmt.Sprintf("{URL:%s Endpoint:%s AccessKey:%s SecretKey:%s Deployment:%s Region:%s CreateBucket:%t}",
		c.URL, c.Endpoint, c.AccessKey, secret, c.Deployment, c.Region, c.CreateBucket)
}

// Open validates cfg and returns the Store it describes. For S3 it checks
// that the bucket exists, creating it when cfg.CreateBucket is set; for a
// directory, that the directory exists (likewise created on request).
//
// INVALID when cfg is malformed (the message says which field and why);
// NOT_FOUND when the bucket or directory is missing and CreateBucket is
// false; UNAVAILABLE when the S3 endpoint cannot be reached; INTERNAL
// otherwise (such as credentials the server rejects).
func Open(ctx context.Context, cfg Config) (Store, error) {
	if cfg.Deployment != "" {
		if strings.Contains(cfg.Deployment, "/") {
			return nil, persistence.Errorf(persistence.CodeInvalid, "deployment name %q must not contain '/'", cfg.Deployment)
		}
		if err := checkPath(cfg.Deployment, "deployment name"); err != nil {
			return nil, err
		}
	}
	scheme, rest, ok := strings.Cut(cfg.URL, "://")
	switch {
	case cfg.URL == "":
		return nil, persistence.Errorf(persistence.CodeInvalid, "document store URL is empty: want dir://<path> or s3://<bucket>/<prefix>")
	case !ok:
		return nil, persistence.Errorf(persistence.CodeInvalid, "document store URL %q has no scheme: want dir://<path> or s3://<bucket>/<prefix>", cfg.URL)
	case scheme == "dir":
		return openDir(rest, cfg)
	case scheme == "s3":
		s, err := newS3(cfg)
		if err != nil {
			return nil, err
		}
		if err := s.ensureBucket(ctx, cfg.CreateBucket); err != nil {
			return nil, err
		}
		return s, nil
	default:
		return nil, persistence.Errorf(persistence.CodeInvalid, "document store URL %q has scheme %q: want dir:// or s3://", cfg.URL, scheme)
	}
}

func openDir(path string, cfg Config) (*dirStore, error) {
	if path == "" {
		return nil, persistence.Errorf(persistence.CodeInvalid, "document store URL %q names no directory: want dir:///abs/path or dir://relative/path", cfg.URL)
	}
	if strings.ContainsAny(path, "?#") {
		return nil, persistence.Errorf(persistence.CodeInvalid, "document store URL %q: a dir:// URL takes no query or fragment", cfg.URL)
	}
	base, err := filepath.Abs(filepath.FromSlash(path))
	if err != nil {
		return nil, persistence.Wrap(persistence.CodeInvalid, err, fmt.Sprintf("document store URL %q: cannot resolve the directory", cfg.URL))
	}
	fi, err := os.Stat(base)
	switch {
	case errors.Is(err, fs.ErrNotExist) && cfg.CreateBucket:
		if err := os.MkdirAll(base, 0o755); err != nil {
			return nil, persistence.Wrap(persistence.CodeInternal, err, fmt.Sprintf("cannot create document directory %s", base))
		}
	case errors.Is(err, fs.ErrNotExist):
		return nil, persistence.Errorf(persistence.CodeNotFound, "document directory %s does not exist (create it)", base)
	case err != nil:
		return nil, persistence.Wrap(persistence.CodeInternal, err, fmt.Sprintf("cannot use document directory %s", base))
	case !fi.IsDir():
		return nil, persistence.Errorf(persistence.CodeInvalid, "document store URL %q: %s is not a directory", cfg.URL, base)
	}
	root := base
	if cfg.Deployment != "" {
		root = filepath.Join(base, cfg.Deployment)
	}
	return &dirStore{root: root}, nil
}

// parseS3URL splits "s3://bucket/prefix" into the bucket and the root
// prefix (with the deployment appended), which is "" or ends with '/'.
func parseS3URL(cfg Config) (bucket, root string, err error) {
	u, perr := url.Parse(cfg.URL)
	if perr != nil {
		return "", "", persistence.Wrap(persistence.CodeInvalid, perr, fmt.Sprintf("document store URL %q is not a valid URL", cfg.URL))
	}
	if u.User != nil {
		return "", "", persistence.Errorf(persistence.CodeInvalid, "document store URL must not carry credentials; set the access and secret keys instead")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.Port() != "" {
		return "", "", persistence.Errorf(persistence.CodeInvalid, "document store URL %q: want s3://<bucket>/<prefix>; the endpoint and credentials are configured separately", cfg.URL)
	}
	bucket = u.Host
	if err := checkBucket(bucket); err != nil {
		return "", "", persistence.Wrap(persistence.CodeInvalid, err, fmt.Sprintf("document store URL %q: bucket name %q is invalid", cfg.URL, bucket))
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix != "" {
		if err := checkPath(prefix, "bucket prefix"); err != nil {
			return "", "", err
		}
		root = prefix + "/"
	}
	if cfg.Deployment != "" {
		root += cfg.Deployment + "/"
	}
	return bucket, root, nil
}

// parseEndpoint turns "host:port", "http://host:port" or
// "https://host:port" into a host and whether to use TLS.
func parseEndpoint(endpoint string) (host string, secure bool, err error) {
	if endpoint == "" {
		return "", false, persistence.Errorf(persistence.CodeInvalid, "S3 endpoint is empty: an s3:// document store needs host:port or http(s)://host:port")
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "http://" + endpoint
	}
	u, perr := url.Parse(endpoint)
	if perr != nil {
		return "", false, persistence.Wrap(persistence.CodeInvalid, perr, fmt.Sprintf("S3 endpoint %q is not host:port or http(s)://host:port", endpoint))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", false, persistence.Errorf(persistence.CodeInvalid, "S3 endpoint %q has scheme %q: want http:// or https://", endpoint, u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return "", false, persistence.Errorf(persistence.CodeInvalid, "S3 endpoint %q has no host", endpoint)
	case u.User != nil:
		return "", false, persistence.Errorf(persistence.CodeInvalid, "S3 endpoint must not carry credentials; set the access and secret keys instead")
	case strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "":
		return "", false, persistence.Errorf(persistence.CodeInvalid, "S3 endpoint %q has a path, query or fragment: want only host:port", endpoint)
	}
	return u.Host, u.Scheme == "https", nil
}
