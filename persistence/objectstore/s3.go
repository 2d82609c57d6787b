package objectstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/seshat-graph/seshat/persistence"
)

// s3Store keeps documents in a bucket below a root prefix.
type s3Store struct {
	client   *minio.Client
	bucket   string
	root     string // "" or ends with '/'
	endpoint string // scheme://host, for messages
	region   string
}

// newS3 validates cfg and builds the client; it makes no request.
func newS3(cfg Config) (*s3Store, error) {
	bucket, root, err := parseS3URL(cfg)
	if err != nil {
		return nil, err
	}
	host, secure, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if (cfg.AccessKey == "") != (cfg.SecretKey == "") {
		return nil, persistence.Errorf(persistence.CodeInvalid, "S3 credentials are incomplete: set both the access key and the secret key, or neither for anonymous access")
	}
	client, err := minio.New(host, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: secure,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, persistence.Wrap(persistence.CodeInvalid, err, fmt.Sprintf("S3 endpoint %q is not usable", cfg.Endpoint))
	}
	scheme := "http"
	if secure {
		scheme = "https"
	}
	return &s3Store{client: client, bucket: bucket, root: root, endpoint: scheme + "://" + host, region: cfg.Region}, nil
}

func checkBucket(bucket string) error {
	if bucket == "" {
		return errors.New("bucket name is empty")
	}
	return s3utils.CheckValidBucketName(bucket)
}

// ensureBucket checks that the bucket exists, creating it when create is set.
func (s *s3Store) ensureBucket(ctx context.Context, create bool) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.error(err, "", "check")
	}
	if ok {
		return nil
	}
	if !create {
		return persistence.Errorf(persistence.CodeNotFound, "bucket %q does not exist at %s (create it, for example with seshat put --create-bucket)", s.bucket, s.endpoint)
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
	if code := minio.ToErrorResponse(err).Code; code == minio.BucketAlreadyOwnedByYou {
		return nil // created concurrently
	}
	if err != nil {
		return s.error(err, "", "creation")
	}
	return nil
}

func (s *s3Store) String() string {
	return fmt.Sprintf("s3://%s/%s at %s", s.bucket, s.root, s.endpoint)
}

// object returns the object name of key, validated.
func (s *s3Store) object(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	name := s.root + key
	if len(name) > maxKeyLen {
		return "", persistence.Errorf(persistence.CodeInvalid, "document key %q is too long: with the root prefix %q it exceeds S3's %d bytes", key, s.root, maxKeyLen)
	}
	return name, nil
}

func (s *s3Store) Put(ctx context.Context, key string, data []byte) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, s.bucket, name, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: contentType(key, data)})
	if err != nil {
		return s.error(err, key, "store")
	}
	return nil
}

// streamPartSize is the multipart part size of PutStream: the memory one
// stream holds, and at S3's 10,000 parts a limit of about 160 GB.
const streamPartSize = 16 << 20

func (s *s3Store) PutStream(ctx context.Context, key string, r io.Reader) (int64, error) {
	name, err := s.object(key)
	if err != nil {
		return 0, err
	}
	info, err := s.client.PutObject(ctx, s.bucket, name, r, -1,
		minio.PutObjectOptions{ContentType: "application/octet-stream", PartSize: streamPartSize})
	if err != nil {
		return 0, s.error(err, key, "store")
	}
	return info.Size, nil
}

func (s *s3Store) GetStream(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	// One GET, sent here, so a missing object is NOT_FOUND here (see Get).
	body, _, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.error(err, key, "retrieve")
	}
	return body, nil
}

func (s *s3Store) Get(ctx context.Context, key string) ([]byte, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	// One GET, whose headers give the size to read: minio.Client's
	// GetObject is lazy, and its Stat sends a HEAD before the first Read
	// sends the GET, two requests per document.
	body, info, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.error(err, key, "retrieve")
	}
	defer body.Close()
	var data []byte
	if info.Size >= 0 {
		data = make([]byte, info.Size)
		_, err = io.ReadFull(body, data)
	} else {
		data, err = io.ReadAll(body)
	}
	if err != nil {
		return nil, s.error(err, key, "retrieve")
	}
	return data, nil
}

func (s *s3Store) Stat(ctx context.Context, key string) (Object, error) {
	name, err := s.object(key)
	if err != nil {
		return Object{}, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return Object{}, s.error(err, key, "stat")
	}
	return Object{Key: key, Size: info.Size, ETag: info.ETag, Modified: info.LastModified}, nil
}

func (s *s3Store) Exists(ctx context.Context, key string) (bool, error) {
	_, err := s.Stat(ctx, key)
	if persistence.ErrorCode(err) == persistence.CodeNotFound {
		return false, nil
	}
	return err == nil, err
}

func (s *s3Store) Delete(ctx context.Context, key string) error {
	// S3 deletes are idempotent; look first so a missing key is NOT_FOUND.
	if _, err := s.Stat(ctx, key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.root+key, minio.RemoveObjectOptions{}); err != nil {
		return s.error(err, key, "delete")
	}
	return nil
}

func (s *s3Store) List(ctx context.Context, prefix string, fn func(Object) error) error {
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	// Cancelling stops the lister between pages when fn stops early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	no := false
	opts := minio.ListObjectsOptions{Prefix: s.root + prefix, Recursive: true, FetchOwner: &no}
	// ListObjectsIter pages through ListObjectsV2 (1,000 keys a request),
	// yielding in the server's order, which S3 defines as lexical.
	for info := range s.client.ListObjectsIter(ctx, s.bucket, opts) {
		if info.Err != nil {
			return s.error(info.Err, prefix, "list")
		}
		key := strings.TrimPrefix(info.Key, s.root)
		if key == "" || strings.HasSuffix(key, "/") {
			continue // folder marker objects some tools create
		}
		if err := fn(Object{Key: key, Size: info.Size, ETag: info.ETag, Modified: info.LastModified}); err != nil {
			return err
		}
	}
	// The lister ends silently when ctx is done; do not report a partial
	// listing as complete.
	if err := ctx.Err(); err != nil {
		return s.error(err, prefix, "list")
	}
	return nil
}

// error turns a minio-go error into a coded one. key (possibly "", for
// bucket operations) is relative to the store root; op says what was being
// done.
func (s *s3Store) error(err error, key, op string) error {
	what := fmt.Sprintf("%s %q", op, key)
	if key == "" {
		what = fmt.Sprintf("%s of bucket %q", op, s.bucket)
	}
	unavailable := func(why string) error {
		return persistence.Wrap(persistence.CodeUnavailable, err, fmt.Sprintf("object storage at %s %s (%s)", s.endpoint, why, what))
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return unavailable("did not answer in time")
	case errors.Is(err, context.Canceled):
		return persistence.Wrap(persistence.CodeUnavailable, err, fmt.Sprintf("request to object storage at %s canceled (%s)", s.endpoint, what))
	}
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		var netErr net.Error
		var urlErr *url.Error
		if errors.As(err, &netErr) || errors.As(err, &urlErr) || errors.Is(err, io.ErrUnexpectedEOF) {
			return unavailable("is unreachable")
		}
		return persistence.Wrap(persistence.CodeInternal, err, fmt.Sprintf("object storage at %s failed (%s)", s.endpoint, what))
	}
	switch resp.Code {
	case minio.NoSuchBucket:
		return persistence.Wrap(persistence.CodeNotFound, err, fmt.Sprintf("bucket %q does not exist at %s", s.bucket, s.endpoint))
	case minio.NoSuchKey, "NoSuchVersion":
		return persistence.Wrap(persistence.CodeNotFound, err, fmt.Sprintf("document %q not found", key))
	case minio.AccessDenied, "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken":
		return persistence.Wrap(persistence.CodeInternal, err, fmt.Sprintf("object storage at %s denied access with the configured credentials (%s)", s.endpoint, what))
	case "SlowDown", "ServiceUnavailable", "RequestTimeout", "InternalError", "XMinioServerNotInitialized", "XMinioReadQuorum", "XMinioWriteQuorum":
		return unavailable("is unavailable")
	}
	switch {
	case resp.StatusCode == 404 && key != "":
		return persistence.Wrap(persistence.CodeNotFound, err, fmt.Sprintf("document %q not found", key))
	case resp.StatusCode == 429 || resp.StatusCode >= 500:
		return unavailable("is unavailable")
	}
	return persistence.Wrap(persistence.CodeInternal, err, fmt.Sprintf("object storage at %s failed (%s)", s.endpoint, what))
}
