// Package objectstore keeps result documents (Thoth's JSON results, blobs)
// in object storage: an S3 bucket through minio-go (MinIO, Ceph RGW, AWS) or
// a local directory. Both backends implement Store with the same contract,
// which mirrors Thoth's CephStore (store/retrieve document and blob, exists,
// listing, delete). Errors are *persistence.Error values with a code.
package objectstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seshat-graph/seshat/persistence"
)

// Store holds documents under keys relative to its root: <bucket>/<prefix>/<deployment>/
// for S3, <dir>/<deployment>/ for a directory. Keys are slash-separated
// relative paths such as "solver/solver-rhel-8-py38-…"; see CheckKey.
//
// A key must not name both a document and a folder of other documents
// ("a" and "a/b"): the dir backend refuses it with CONFLICT and MinIO hides
// one of the two from listings. Thoth's layout never does it.
//
// Every method may return UNAVAILABLE (storage unreachable, timed out or
// overloaded, or ctx done) and INTERNAL (anything else, such as storage that
// denies the configured credentials); the codes listed per method are those
// in addition.
type Store interface {
	// Put stores data under key, replacing any previous object; readers see
	// either the old or the new content, never a partial one.
	// INVALID for a bad key; CONFLICT when the dir backend holds a folder at
	// key or a document at one of key's parent folders.
	Put(ctx context.Context, key string, data []byte) error

	// Get returns the content stored under key.
	// NOT_FOUND when there is no such object (or no bucket); INVALID for a bad key.
	Get(ctx context.Context, key string) ([]byte, error)

	// PutStream is Put for a blob of any size (a database dump): it stores
	// what r yields until EOF, holding a bounded part of it in memory, and
	// returns the number of bytes stored. Readers see the old or the new
	// content; when r fails nothing is stored under key.
	PutStream(ctx context.Context, key string, r io.Reader) (int64, error)

	// GetStream is Get as a stream, for blobs; the caller closes it.
	// NOT_FOUND when there is no such object (or no bucket); INVALID for a bad key.
	GetStream(ctx context.Context, key string) (io.ReadCloser, error)

	// Stat returns the metadata of the object under key.
	// NOT_FOUND when there is no such object (or no bucket); INVALID for a bad key.
	Stat(ctx context.Context, key string) (Object, error)

	// Exists reports whether an object is stored under key; a missing
	// object (on S3 also a missing bucket) is (false, nil).
	// INVALID for a bad key.
	Exists(ctx context.Context, key string) (bool, error)

	// Delete removes the object under key.
	// NOT_FOUND when there is no such object; INVALID for a bad key.
	// (On S3 the check precedes the removal: of two concurrent deletes
	// both may succeed.)
	Delete(ctx context.Context, key string) error

	// List calls fn for every object whose key starts with prefix (a plain
	// string prefix, "" for all; "solver/" lists a folder), in lexical
	// (byte-wise) key order, streaming: S3 objects are fetched a page
	// (1,000) at a time and memory does not grow with their number (the dir
	// backend holds the names of one folder per level). An error returned by fn
	// stops the listing and is returned as is. Objects stored or deleted
	// during the listing may or may not be seen.
	// INVALID for a bad prefix; NOT_FOUND when the bucket does not exist.
	List(ctx context.Context, prefix string, fn func(Object) error) error

	// String describes the store for logs (URL and endpoint, never secrets).
	String() string
}

// Object describes a stored object.
type Object struct {
	// Key is relative to the store root, as passed to Get.
	Key string
	// Size is the content length in bytes.
	Size int64
	// ETag is an opaque token that changes when the object is rewritten:
	// the S3 entity tag, or a size-and-mtime token for the dir backend.
	ETag string
	// Modified is the time the object was last written.
	Modified time.Time
}

// PutJSON stores v encoded as JSON under key (Thoth's store_document).
// INVALID when v cannot be encoded; otherwise the codes of Store.Put.
func PutJSON(ctx context.Context, s Store, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return persistence.Wrap(persistence.CodeInvalid, err, fmt.Sprintf("cannot encode document %q as JSON", key))
	}
	return s.Put(ctx, key, data)
}

// GetJSON decodes the JSON document under key into v (Thoth's retrieve_document).
// INVALID when the stored content is not JSON that fits v; otherwise the
// codes of Store.Get.
func GetJSON(ctx context.Context, s Store, key string, v any) error {
	data, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return persistence.Wrap(persistence.CodeInvalid, err, fmt.Sprintf("document %q is not valid JSON for %T", key, v))
	}
	return nil
}

// tempPrefix starts the names of the dir backend's temporary files; keys
// with an element starting with it are refused so they can never collide.
const tempPrefix = ".seshat-tmp-"

// maxKeyLen is S3's limit on an object name in bytes (root prefix included).
const maxKeyLen = 1024

// CheckKey returns an INVALID error unless key is a valid document key: a
// non-empty relative slash-separated path of valid UTF-8 without NUL bytes,
// at most 1024 bytes, whose elements are neither empty (no leading, trailing
// or doubled '/'), "." nor "..", and do not start with ".seshat-tmp-".
func CheckKey(key string) error {
	if key == "" {
		return persistence.Errorf(persistence.CodeInvalid, "document key is empty")
	}
	if err := checkPath(key, "document key"); err != nil {
		return err
	}
	if strings.HasSuffix(key, "/") {
		return persistence.Errorf(persistence.CodeInvalid, "document key %q ends with '/': it names a folder, not a document", key)
	}
	return nil
}

// checkPrefix validates a List prefix: "" or a path like a key, except that
// it may end with '/' and its last element may be partial.
func checkPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	return checkPath(strings.TrimSuffix(prefix, "/"), "list prefix")
}

func checkPath(p, what string) error {
	switch {
	case len(p) > maxKeyLen:
		return persistence.Errorf(persistence.CodeInvalid, "%s is %d bytes long, more than the %d allowed", what, len(p), maxKeyLen)
	case !utf8.ValidString(p):
		return persistence.Errorf(persistence.CodeInvalid, "%s %q is not valid UTF-8", what, p)
	case strings.ContainsRune(p, 0):
		return persistence.Errorf(persistence.CodeInvalid, "%s %q contains a NUL byte", what, p)
	case strings.HasPrefix(p, "/"):
		return persistence.Errorf(persistence.CodeInvalid, "%s %q is absolute: keys are relative to the store root", what, p)
	}
	for elem := range strings.SplitSeq(p, "/") {
		switch {
		case elem == "":
			return persistence.Errorf(persistence.CodeInvalid, "%s %q has an empty path element", what, p)
		case elem == "." || elem == "..":
			return persistence.Errorf(persistence.CodeInvalid, "%s %q contains a %q element", what, p, elem)
		case strings.HasPrefix(elem, tempPrefix):
			return persistence.Errorf(persistence.CodeInvalid, "%s %q uses the reserved name prefix %q", what, p, tempPrefix)
		}
	}
	return nil
}

// contentType is what S3 stores with an object: JSON for documents
// (a ".json" key or content that starts with '{'), bytes otherwise.
func contentType(key string, data []byte) string {
	if strings.HasSuffix(key, ".json") || bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{")) {
		return "application/json"
	}
	return "application/octet-stream"
}
