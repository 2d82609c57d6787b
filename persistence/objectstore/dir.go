package objectstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/seshat-graph/seshat/persistence"
)

// dirStore keeps each document in a file below root, at the key's path.
// A key cannot name both a document and a folder of other documents (S3
// allows that); Put reports CONFLICT for it. Symbolic links to files are
// read and listed; links to folders are not followed when listing.
type dirStore struct {
	root string // absolute, cleaned
}

func (d *dirStore) String() string { return "dir://" + filepath.ToSlash(d.root) }

func (d *dirStore) path(key string) string {
	return filepath.Join(d.root, filepath.FromSlash(key))
}

func (d *dirStore) Put(ctx context.Context, key string, data []byte) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return d.error(err, key, "store")
	}
	p := d.path(key)
	var err error
	// A concurrent Delete may prune the folder between MkdirAll and
	// CreateTemp; try again then.
	for range 3 {
		if err = writeFile(p, func(f *os.File) error { _, err := f.Write(data); return err }); !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	return d.putError(err, key)
}

func (d *dirStore) putError(err error, key string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.EISDIR):
		return persistence.Wrap(persistence.CodeConflict, err, fmt.Sprintf("document key %q clashes with a document or folder of the same name in %s", key, d))
	}
	return d.error(err, key, "store")
}

func (d *dirStore) PutStream(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := CheckKey(key); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, d.error(err, key, "store")
	}
	var n int64
	err := writeFile(d.path(key), func(f *os.File) (err error) {
		n, err = io.Copy(f, r)
		return err
	})
	if err != nil {
		return 0, d.putError(err, key)
	}
	return n, nil
}

func (d *dirStore) GetStream(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, d.error(err, key, "retrieve")
	}
	f, err := os.Open(d.path(key))
	if err != nil {
		return nil, d.error(err, key, "retrieve")
	}
	return f, nil
}

// writeFile replaces p atomically: a temporary file in the same folder,
// filled by write, synced, then renamed over p.
func writeFile(p string, write func(f *os.File) error) (err error) {
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}

func (d *dirStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, d.error(err, key, "retrieve")
	}
	data, err := os.ReadFile(d.path(key))
	if err != nil {
		return nil, d.error(err, key, "retrieve")
	}
	return data, nil
}

func (d *dirStore) Stat(ctx context.Context, key string) (Object, error) {
	if err := CheckKey(key); err != nil {
		return Object{}, err
	}
	if err := ctx.Err(); err != nil {
		return Object{}, d.error(err, key, "stat")
	}
	fi, err := os.Stat(d.path(key))
	if err != nil {
		return Object{}, d.error(err, key, "stat")
	}
	if !fi.Mode().IsRegular() {
		return Object{}, persistence.Errorf(persistence.CodeNotFound, "document %q not found", key)
	}
	return object(key, fi), nil
}

func object(key string, fi fs.FileInfo) Object {
	return Object{
		Key:      key,
		Size:     fi.Size(),
		ETag:     fmt.Sprintf("%x-%x", fi.ModTime().UnixNano(), fi.Size()),
		Modified: fi.ModTime(),
	}
}

func (d *dirStore) Exists(ctx context.Context, key string) (bool, error) {
	_, err := d.Stat(ctx, key)
	if persistence.ErrorCode(err) == persistence.CodeNotFound {
		return false, nil
	}
	return err == nil, err
}

func (d *dirStore) Delete(ctx context.Context, key string) error {
	if _, err := d.Stat(ctx, key); err != nil {
		return err
	}
	p := d.path(key)
	if err := os.Remove(p); err != nil {
		return d.error(err, key, "delete")
	}
	// Folders exist only while they hold documents, as S3 prefixes do, so
	// a deleted folder's name is free for a document. Removing a non-empty
	// folder fails, which ends the pruning.
	for dir := filepath.Dir(p); dir != d.root && strings.HasPrefix(dir, d.root+string(filepath.Separator)); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

func (d *dirStore) List(ctx context.Context, prefix string, fn func(Object) error) error {
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	// Start at the deepest folder the prefix names in full.
	start := ""
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = prefix[:i]
	}
	return d.walk(ctx, start, prefix, fn)
}

type dirEntry struct {
	name  string
	order string // name, with '/' appended for folders
	dir   bool
}

// walk lists the folder dir (slash-separated, relative to the root) in the
// order S3 uses, byte-wise on whole keys. fs.WalkDir's order (by name
// within each folder) differs: it yields "a/b" before "a-c", but '-' sorts
// before '/'. So each folder's entries are sorted with '/' appended to
// folder names. Memory holds the names of the folders being walked (one
// per level), never the whole key set; for Thoth's layout, where a kind
// keeps all its documents in one folder, that is one kind's names.
func (d *dirStore) walk(ctx context.Context, dir, prefix string, fn func(Object) error) error {
	if err := ctx.Err(); err != nil {
		return d.error(err, prefix, "list")
	}
	f, err := os.Open(filepath.Join(d.root, filepath.FromSlash(dir)))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil // no such folder (or it vanished): nothing below it
	}
	if err != nil {
		return d.error(err, prefix, "list")
	}
	des, err := f.ReadDir(-1)
	f.Close()
	if errors.Is(err, syscall.ENOTDIR) {
		return nil // a document, not a folder: nothing below it
	}
	if err != nil {
		return d.error(err, prefix, "list")
	}
	entries := make([]dirEntry, 0, len(des))
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, tempPrefix) {
			continue
		}
		e := dirEntry{name: name, order: name, dir: de.IsDir()}
		if e.dir {
			e.order += "/"
		}
		entries = append(entries, e)
	}
	des = nil
	slices.SortFunc(entries, func(a, b dirEntry) int { return strings.Compare(a.order, b.order) })
	for _, e := range entries {
		key := path.Join(dir, e.name)
		if e.dir {
			// Descend only where keys may start with prefix.
			if folder := key + "/"; strings.HasPrefix(folder, prefix) || strings.HasPrefix(prefix, folder) {
				if err := d.walk(ctx, key, prefix, fn); err != nil {
					return err
				}
			}
			continue
		}
		if !strings.HasPrefix(key, prefix) {
			continue
		}
		fi, err := os.Stat(filepath.Join(d.root, filepath.FromSlash(key)))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted meanwhile, or a dangling link
		}
		if err != nil {
			return d.error(err, key, "list")
		}
		if !fi.Mode().IsRegular() {
			continue // a link to a folder, a socket, ...
		}
		if err := ctx.Err(); err != nil {
			return d.error(err, prefix, "list")
		}
		if err := fn(object(key, fi)); err != nil {
			return err
		}
	}
	return nil
}

// error codes a file system error: a missing file (or a folder in its
// place) is NOT_FOUND, a full disk UNAVAILABLE.
func (d *dirStore) error(err error, key, op string) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return persistence.Wrap(persistence.CodeUnavailable, err, fmt.Sprintf("document store %s: %s %q timed out", d, op, key))
	case errors.Is(err, context.Canceled):
		return persistence.Wrap(persistence.CodeUnavailable, err, fmt.Sprintf("document store %s: %s %q canceled", d, op, key))
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR):
		return persistence.Wrap(persistence.CodeNotFound, err, fmt.Sprintf("document %q not found", key))
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS):
		return persistence.Wrap(persistence.CodeUnavailable, err, fmt.Sprintf("document store %s cannot take writes (%s %q)", d, op, key))
	}
	return persistence.Wrap(persistence.CodeInternal, err, fmt.Sprintf("document store %s: %s %q failed", d, op, key))
}
