// Package dataset generates Thoth solver documents for a synthetic but
// Python-shaped dependency graph: the sample data of `make run`, the test
// data of the ingestion round trips and the graphs of the benchmarks.
//
// The documents have the exact shape thoth-solver 1.x wrote from 2020 on
// (document ids solver-<os>-<version>-py<XY>-<timestamp>-<hex>, one
// requested version per document, metadata with os_release and python,
// result.tree entries with importlib_metadata, sha256 artifacts, the
// packages they install (the later solver's packages list, with their
// __init__.py files), the license solver's package_license, and
// dependencies with specifier, marker, extra, extras, marker evaluation and
// resolved_versions per index; result.errors, unparsed and unresolved).
//
// The graph: a fixed head of real package names (six, setuptools, numpy,
// urllib3, requests, the tensorflow and flask families, pytest, sphinx ...)
// with their real requirements, then generated packages whose requirements
// pick targets with a Zipf law, so a few packages are required by most.
// Packages have several releases in PEP 440 order (1.9 before 1.10,
// pre-releases such as 2.0.0rc1, post-releases); two environments (rhel 8
// with Python 3.8, fedora 34 with Python 3.9); two indexes (PyPI and a
// second one that also builds some releases); cycles (sphinx and
// sphinxcontrib-applehelp, and generated ones); markers that evaluate false
// in one or both environments; requirements gated by extras and
// requirements that request extras of their target; failed solver runs;
// unresolved and unparsable requests; and a frontier of releases that are
// only resolved targets, never solved in an environment.
//
// Generation is deterministic: the same Options give the same documents,
// byte for byte, in the same order. Every size has the root
// tensorflow==2.6.0 (see Root); its reach in the first environment is at
// least 5,000 versions for TF, and TF10x adds nine times TF's versions that
// nothing TF contains requires, leaving the root's reach unchanged (TF100x
// 99 times).
package dataset

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/seshat-graph/seshat/python"
)

// Size names a dataset size.
type Size string

// The sizes.
const (
	// Small is for tests: a few hundred versions.
	Small Size = "small"
	// Sample is the sample data of `make run`: a few thousand versions.
	Sample Size = "sample"
	// TF is "tensorflow-scale": the root reaches at least 5,000 versions.
	TF Size = "tf"
	// TF10x is TF plus nine times as many versions the root does not reach.
	TF10x Size = "tf10x"
	// TF100x is TF plus 99 times as many versions the root does not reach
	// (about 650,000 versions): the graph of `make bench-scale`.
	TF100x Size = "tf100x"
)

// Sizes lists the sizes, smallest first.
func Sizes() []Size { return []Size{Small, Sample, TF, TF10x, TF100x} }

// ParseSize returns the Size named s.
func ParseSize(s string) (Size, error) {
	for _, z := range Sizes() {
		if string(z) == s {
			return z, nil
		}
	}
	names := make([]string, 0, len(Sizes()))
	for _, z := range Sizes() {
		names = append(names, string(z))
	}
	return "", fmt.Errorf("unknown size %q: want %s", s, strings.Join(names, ", "))
}

// Environments are the two environments documents are solved in, as the
// graph stores them (normalised); the first is the one Root's reach is
// measured in.
var Environments = []python.Environment{
	{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"},
	{OSName: "fedora", OSVersion: "34", PythonVersion: "3.9"},
}

// The package indexes: PyPI and a second index that also builds some releases.
const (
	PyPI        = "https://pypi.org/simple"
	SecondIndex = "https://tensorflow.pypi.thoth-station.ninja/index/manylinux2010/AVX2/simple"
)

var indexURLs = [2]string{PyPI, SecondIndex}

// Version names a package version on an index.
type Version struct {
	Name, Version, IndexURL string
}

// Root is the named root of every size: tensorflow 2.6.0 from PyPI, solved
// in both environments; its reach is measured in Environments[0].
var Root = Version{Name: "tensorflow", Version: "2.6.0", IndexURL: PyPI}

// Options select what Generate makes.
type Options struct {
	Size Size
	Seed uint64
}

// Stats describe what Generate emitted.
type Stats struct {
	Documents int   // documents emitted
	Versions  int   // distinct (package, version, index) the documents mention
	Solved    int   // documents with a tree entry (the others failed or were not resolvable)
	Edges     int   // dependency entries (DEPENDS_ON edges)
	Resolved  int   // resolved versions over all dependency entries
	Bytes     int64 // JSON bytes emitted
}

// Generate makes the documents of opts and passes each to emit with its
// document id, in a fixed order: by environment, then package, release and
// index. emit must not keep doc after it returns. Generate stops at the
// first error of emit or when ctx is done.
func Generate(ctx context.Context, opts Options, emit func(id string, doc []byte) error) (Stats, error) {
	p, ok := plans[opts.Size]
	if !ok {
		_, err := ParseSize(string(opts.Size))
		return Stats{}, err
	}
	w := newWorld(p, opts.Seed)
	var st Stats
	for _, pk := range w.pkgs {
		st.Versions += variants(pk)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the solver writes "<2.0", not "\u003c2.0"
	put := func(doc document) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		buf.Reset()
		if err := enc.Encode(doc); err != nil {
			return err
		}
		raw := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		st.Documents++
		st.Bytes += int64(len(raw))
		for _, t := range doc.Result.Tree {
			st.Solved++
			st.Edges += len(t.Dependencies)
			for _, d := range t.Dependencies {
				for _, g := range d.ResolvedVersions {
					st.Resolved += len(g.Versions)
				}
			}
		}
		return emit(doc.Metadata.DocumentID, raw)
	}
	for e := range Environments {
		for part := range 2 {
			var partPkgs []int
			for i, pk := range w.pkgs {
				if pk.part != part {
					continue
				}
				partPkgs = append(partPkgs, i)
				for j, rel := range pk.releases {
					for x := range indexURLs {
						if x == 1 && !rel.second {
							continue
						}
						if s := w.state(i, j, x, e); s != unsolved {
							if err := put(w.solverDocument(i, j, x, e, s)); err != nil {
								return st, err
							}
						}
					}
				}
			}
			// A few requests the solver could not satisfy or parse.
			n := max(1, len(partPkgs)*p.problems/1000)
			for k := range n {
				if len(partPkgs) == 0 {
					break
				}
				i := partPkgs[int(w.hash("problem", fmt.Sprint(e, part, k))%uint64(len(partPkgs)))]
				doc := w.unresolvedDocument(i, e, k)
				if k%2 == 1 {
					doc = w.unparsedDocument(i, e, k)
				}
				if err := put(doc); err != nil {
					return st, err
				}
			}
		}
	}
	return st, nil
}
