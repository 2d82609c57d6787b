package osv

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Walk calls fn with the name and content of every record under root, one at
// a time, never holding more than one record in memory:
//   - a directory: every *.yaml, *.yml and *.json file below it, directory
//     by directory in lexical order (as filepath.WalkDir visits them), named
//     by the path relative to root with "/"
//     ("django/PYSEC-2011-1.yaml"); files and directories whose names start
//     with "." (.git, .github's workflows) are skipped;
//   - a file ending in ".zip" (osv.dev's all.zip): every *.json, *.yaml and
//     *.yml entry, in lexical order of their names, named by the entry name;
//   - any other file: that file, named by its base name.
//
// Walk reads at most MaxRecordBytes+1 bytes of a record, so that Parse
// refuses one too large without Walk holding it. It stops at the first error
// fn returns and returns it unchanged; an error reading root is returned
// with the path that failed.
func Walk(root string, fn func(name string, raw []byte) error) error {
	info, err := os.Stat(root)
	if err != nil {
		return err
	}
	switch {
	case info.IsDir():
		return walkDir(root, fn)
	case strings.EqualFold(filepath.Ext(root), ".zip"):
		return walkZip(root, fn)
	}
	raw, err := readFile(root)
	if err != nil {
		return err
	}
	return fn(filepath.Base(root), raw)
}

// isRecordName reports whether a file named name holds a record.
func isRecordName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func walkDir(root string, fn func(string, []byte) error) error {
	// WalkDir visits each directory's entries in lexical order.
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !isRecordName(d.Name()) {
			return nil
		}
		if !d.Type().IsRegular() {
			// A symbolic link counts when it leads to a regular file.
			if info, err := os.Stat(p); err != nil || !info.Mode().IsRegular() {
				return nil
			}
		}
		raw, err := readFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		return fn(filepath.ToSlash(rel), raw)
	})
}

func walkZip(name string, fn func(string, []byte) error) error {
	zr, err := zip.OpenReader(name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer zr.Close()
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	for _, f := range files {
		if f.FileInfo().IsDir() || !isRecordName(f.Name) {
			continue
		}
		raw, err := readZipFile(f)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", name, f.Name, err)
		}
		if err := fn(f.Name, raw); err != nil {
			return err
		}
	}
	return nil
}

func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := readRecord(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return raw, nil
}

func readZipFile(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readRecord(rc)
}

// readRecord reads at most MaxRecordBytes+1 bytes of r.
func readRecord(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, MaxRecordBytes+1))
}
