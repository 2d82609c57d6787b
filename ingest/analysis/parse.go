package analysis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// Parse parses and validates an image analysis. id is the document id
// ("" takes metadata.document_id). Returns a *ValidationError naming the
// JSON path of the first problem.
func Parse(id string, raw []byte) (*Document, error) {
	if len(raw) > MaxDocumentBytes {
		return nil, &ValidationError{Message: fmt.Sprintf("document is %d bytes, larger than %d", len(raw), MaxDocumentBytes)}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &ValidationError{Message: "not JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, &ValidationError{Message: "not JSON: data after the document"}
	}
	root, err := object(v, "")
	if err != nil {
		return nil, err
	}
	d := &Document{ID: id}
	meta, err := requiredObject(root, "", "metadata")
	if err != nil {
		return nil, err
	}
	if err := d.parseMetadata(meta); err != nil {
		return nil, err
	}
	res, err := requiredObject(root, "", "result")
	if err != nil {
		return nil, err
	}
	if err := d.parseResult(res); err != nil {
		return nil, err
	}
	if d.ID == "" {
		return nil, &ValidationError{Path: "metadata.document_id", Message: "no document id: neither given nor in metadata.document_id"}
	}
	return d, nil
}

func (d *Document) parseMetadata(meta map[string]any) error {
	const at = "metadata"
	var err error
	if d.Analyzer, err = optString(meta, at, "analyzer"); err != nil {
		return err
	}
	if d.AnalyzerVersion, err = optString(meta, at, "analyzer_version"); err != nil {
		return err
	}
	if d.ID == "" {
		if d.ID, err = optString(meta, at, "document_id"); err != nil {
			return err
		}
	}
	datetime, err := optString(meta, at, "datetime")
	if err != nil {
		return err
	}
	if datetime != "" {
		if d.AnalyzedAt, err = parseTime(datetime); err != nil {
			return invalid(join(at, "datetime"), "%v", err)
		}
	}
	if dur, ok := meta["duration"]; ok && dur != nil {
		n, ok := dur.(json.Number)
		f, err := n.Float64()
		if !ok || err != nil || f < 0 {
			return invalid(join(at, "duration"), "want a number of seconds >= 0, got %s", describe(dur))
		}
		d.Duration = &f
	}
	args, err := requiredObject(meta, at, "arguments")
	if err != nil {
		return err
	}
	at2 := join(at, "arguments")
	extract, err := requiredObject(args, at2, "extract-image")
	if err != nil {
		return err
	}
	if d.Image, err = reqString(extract, join(at2, "extract-image"), "image"); err != nil {
		return err
	}
	if err := long(extract, join(at2, "extract-image"), "image"); err != nil {
		return err
	}
	d.ImageName, d.ImageTag, d.Digest = splitImage(d.Image)
	if d.ImageName == "" {
		return invalid(join(join(at2, "extract-image"), "image"), "%q names no image", d.Image)
	}
	d.EnvironmentType = Runtime
	cli, err := optObject(args, at2, "thoth-package-extract")
	if err != nil || cli == nil {
		return err
	}
	at3 := join(at2, "thoth-package-extract")
	md, err := runMetadata(cli, at3)
	if err != nil || md == nil {
		return err
	}
	at4 := join(at3, "metadata")
	envType, err := optString(md, at4, "environment_type")
	if err != nil {
		return err
	}
	switch strings.ToUpper(envType) {
	case "":
	case Runtime, Buildtime:
		d.EnvironmentType = strings.ToUpper(envType)
	default:
		return invalid(join(at4, "environment_type"), "want runtime or buildtime, got %q", envType)
	}
	d.Origin, err = optString(md, at4, "origin")
	return err
}

// runMetadata returns the metadata the analysis was run with, an object or
// a string holding one (the --metadata option as given); nil when absent.
func runMetadata(cli map[string]any, at string) (map[string]any, error) {
	switch v := cli["metadata"].(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return v, nil
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, nil
		}
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, invalid(join(at, "metadata"), "a string that is not a JSON object: %v", err)
		}
		return m, nil
	default:
		return nil, invalid(join(at, "metadata"), "want an object, got %s", describe(v))
	}
}

func (d *Document) parseResult(res map[string]any) error {
	const at = "result"
	var err error
	if d.Layers, err = stringList(res, at, "layers"); err != nil {
		return err
	}
	if v, ok := res["image_size"]; ok && v != nil {
		n, ok := v.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil || i < 0 {
			return invalid(join(at, "image_size"), "want a number of bytes >= 0, got %s", describe(v))
		}
		d.Size = &i
	}
	if err := d.parseOS(res, at); err != nil {
		return err
	}
	if err := d.parseCUDA(res, at); err != nil {
		return err
	}
	if skopeo, err := optObject(res, at, "skopeo-inspect"); err != nil {
		return err
	} else if skopeo != nil {
		digest, err := optString(skopeo, join(at, "skopeo-inspect"), "Digest")
		if err == nil {
			err = short(skopeo, join(at, "skopeo-inspect"), "Digest")
		}
		if err != nil {
			return err
		}
		if digest != "" {
			d.Digest = digest
		}
	}
	if d.Digest == "" && len(d.Layers) > 0 {
		d.Digest = d.Layers[len(d.Layers)-1]
		if err := within(d.Digest, index(join(at, "layers"), len(d.Layers)-1), MaxNameBytes); err != nil {
			return err
		}
	}
	d.PythonVersion = pythonOfImage(d.ImageName)
	steps := []func(map[string]any, string) error{
		d.parseMercator, d.parsePythonPackages, d.parseRPMs, d.parseDebs,
		d.parseSymbols, d.parseInterpreters, d.parseFiles,
	}
	for _, step := range steps {
		if err := step(res, at); err != nil {
			return err
		}
	}
	return nil
}

func (d *Document) parseOS(res map[string]any, at string) error {
	osr, err := optObject(res, at, "operating-system")
	if err != nil || osr == nil {
		return err
	}
	at = join(at, "operating-system")
	id, err := optString(osr, at, "id")
	if err != nil {
		return err
	}
	version, err := optString(osr, at, "version_id")
	if err != nil {
		return err
	}
	env := python.Environment{OSName: id, OSVersion: version}.Normalized()
	d.OSName, d.OSVersion = env.OSName, env.OSVersion
	return nil
}

func (d *Document) parseCUDA(res map[string]any, at string) error {
	cuda, err := optObject(res, at, "cuda-version")
	if err != nil || cuda == nil {
		return err
	}
	at = join(at, "cuda-version")
	nvcc, err := optString(cuda, at, "nvcc_version")
	if err != nil {
		return err
	}
	file, err := optString(cuda, at, "/usr/local/cuda/version.txt")
	if err != nil {
		return err
	}
	if nvcc != "" && file != "" && nvcc != file {
		return invalid(at, "nvcc reports CUDA %q, /usr/local/cuda/version.txt %q", nvcc, file)
	}
	d.CUDAVersion = nvcc
	if d.CUDAVersion == "" {
		d.CUDAVersion = file
	}
	return nil
}

// parseMercator reads the 2018 shape's Python distributions: mercator
// entries of ecosystem Python-Dist, whose path is the distribution's
// metadata file (…/site-packages/chardet-2.2.1-py2.7.egg-info/PKG-INFO).
// Entries of other ecosystems are not installed distributions and are skipped.
func (d *Document) parseMercator(res map[string]any, at string) error {
	return eachObject(res, at, "mercator", func(m map[string]any, at string) error {
		eco, err := optString(m, at, "ecosystem")
		if err != nil || eco != "Python-Dist" {
			return err
		}
		r, err := requiredObject(m, at, "result")
		if err != nil {
			return err
		}
		name, err := reqString(r, join(at, "result"), "name")
		if err != nil {
			return err
		}
		version, err := reqString(r, join(at, "result"), "version")
		if err != nil {
			return err
		}
		p, err := optString(m, at, "path")
		if err == nil {
			err = short(r, join(at, "result"), "name", "version")
		}
		if err == nil {
			err = long(m, at, "path")
		}
		if err != nil {
			return err
		}
		d.addPythonPackage(name, version, distLocation(p))
		return nil
	})
}

// distLocation is the directory holding a distribution whose metadata is at
// p: the parent of its .egg-info or .dist-info directory.
func distLocation(p string) string {
	if p == "" {
		return ""
	}
	dir := path.Dir(p)
	if strings.HasSuffix(dir, ".egg-info") || strings.HasSuffix(dir, ".dist-info") {
		return path.Dir(dir)
	}
	return dir
}

func (d *Document) parsePythonPackages(res map[string]any, at string) error {
	return eachObject(res, at, "python-packages", func(m map[string]any, at string) error {
		name, err := reqString(m, at, "package_name")
		if err != nil {
			return err
		}
		version, err := reqString(m, at, "package_version")
		if err != nil {
			return err
		}
		loc, err := optString(m, at, "location")
		if err == nil {
			err = short(m, at, "package_name", "package_version")
		}
		if err == nil {
			err = long(m, at, "location")
		}
		if err != nil {
			return err
		}
		d.addPythonPackage(name, version, loc)
		return nil
	})
}

func (d *Document) addPythonPackage(name, version, location string) {
	v, ok := python.NormalizeVersion(version)
	if !ok {
		v = strings.TrimSpace(version)
	}
	p := PythonPackage{Name: python.NormalizeName(name), Version: v, Location: location}
	if !slices.Contains(d.PythonPackages, p) {
		d.PythonPackages = append(d.PythonPackages, p)
	}
}

func (d *Document) parseRPMs(res map[string]any, at string) error {
	seen := map[string]int{}
	return eachObject(res, at, "rpm-dependencies", func(m map[string]any, at string) error {
		var r RPM
		var err error
		if r.Name, err = reqString(m, at, "name"); err != nil {
			return err
		}
		if r.Version, err = reqString(m, at, "version"); err != nil {
			return err
		}
		for _, f := range []struct {
			key string
			to  **string
		}{{"release", &r.Release}, {"epoch", &r.Epoch}, {"arch", &r.Arch}} {
			if *f.to, err = nullableString(m, at, f.key); err != nil {
				return err
			}
		}
		if v, ok := m["src"]; ok && v != nil {
			b, ok := v.(bool)
			if !ok {
				return invalid(join(at, "src"), "want a boolean, got %s", describe(v))
			}
			r.Src = b
		}
		if r.Identifier, err = optString(m, at, "package_identifier"); err != nil {
			return err
		}
		if r.Identifier == "" {
			r.Identifier = r.Name
		}
		if err := short(m, at, "name", "version", "release", "epoch", "arch"); err != nil {
			return err
		}
		reqs, err := stringList(m, at, "dependencies")
		if err != nil {
			return err
		}
		for i, q := range reqs {
			if err := within(q, index(join(at, "dependencies"), i), MaxPathBytes); err != nil {
				return err
			}
		}
		key := strings.Join([]string{r.Name, r.Version, deref(r.Release), deref(r.Epoch), deref(r.Arch), strconv.FormatBool(r.Src)}, "\x00")
		i, dup := seen[key]
		if !dup {
			i = len(d.RPMs)
			seen[key] = i
			d.RPMs = append(d.RPMs, r)
		}
		for _, q := range reqs {
			if !slices.Contains(d.RPMs[i].Requires, q) {
				d.RPMs[i].Requires = append(d.RPMs[i].Requires, q)
			}
		}
		return nil
	})
}

func (d *Document) parseDebs(res map[string]any, at string) error {
	seen := map[string]bool{}
	key := func(name, version string, epoch, arch *string) string {
		return strings.Join([]string{name, version, deref(epoch), deref(arch)}, "\x00")
	}
	err := eachObject(res, at, "deb-dependencies", func(m map[string]any, at string) error {
		var b Deb
		var err error
		if b.Name, err = reqString(m, at, "name"); err != nil {
			return err
		}
		if b.Version, err = reqString(m, at, "version"); err != nil {
			return err
		}
		if b.Epoch, err = nullableString(m, at, "epoch"); err != nil {
			return err
		}
		if b.Arch, err = nullableString(m, at, "arch"); err != nil {
			return err
		}
		if err := short(m, at, "name", "version", "epoch", "arch"); err != nil {
			return err
		}
		for _, f := range []struct {
			key string
			to  *[]DebRelation
		}{{"depends", &b.Depends}, {"pre-depends", &b.PreDepends}, {"replaces", &b.Replaces}} {
			err := eachObject(m, at, f.key, func(r map[string]any, at string) error {
				name, err := reqString(r, at, "name")
				if err != nil {
					return err
				}
				rng, err := nullableString(r, at, "version")
				if err == nil {
					err = short(r, at, "name", "version")
				}
				if err != nil {
					return err
				}
				rel := DebRelation{Name: name, Range: deref(rng)}
				if !slices.Contains(*f.to, rel) {
					*f.to = append(*f.to, rel)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		k := key(b.Name, b.Version, b.Epoch, b.Arch)
		if !seen[k] {
			seen[k] = true
			d.Debs = append(d.Debs, b)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// dpkg-query's list: the version may carry the epoch ("1:2.3-4"), which
	// deb-dependencies gives apart, as package-extract splits it.
	return eachObject(res, at, "deb", func(m map[string]any, at string) error {
		var b Deb
		var err error
		if b.Name, err = reqString(m, at, "name"); err != nil {
			return err
		}
		if b.Version, err = reqString(m, at, "version"); err != nil {
			return err
		}
		if b.Arch, err = nullableString(m, at, "arch"); err != nil {
			return err
		}
		if err := short(m, at, "name", "version", "arch"); err != nil {
			return err
		}
		if epoch, rest, ok := strings.Cut(b.Version, ":"); ok && python.IsDigits(epoch) {
			b.Epoch, b.Version = &epoch, rest
		}
		k := key(b.Name, b.Version, b.Epoch, b.Arch)
		if !seen[k] {
			seen[k] = true
			d.Debs = append(d.Debs, b)
		}
		return nil
	})
}

func (d *Document) parseSymbols(res map[string]any, at string) error {
	libs, err := optObject(res, at, "system-symbols")
	if err != nil || libs == nil {
		return err
	}
	at = join(at, "system-symbols")
	if len(libs) > MaxListItems {
		return invalid(at, "more than %d libraries", MaxListItems)
	}
	for lib := range libs {
		if len(lib) > MaxPathBytes {
			return invalid(at, "library %q…: %d bytes, longer than %d", lib[:64], len(lib), MaxPathBytes)
		}
		if err := checkString(lib, at); err != nil {
			return err
		}
		syms, err := stringList(libs, at, lib)
		if err != nil {
			return err
		}
		for i, sym := range syms {
			if err := within(sym, index(join(at, lib), i), MaxNameBytes); err != nil {
				return err
			}
		}
		for _, s := range syms {
			d.Symbols = append(d.Symbols, Symbol{Library: lib, Symbol: s})
		}
	}
	slices.SortFunc(d.Symbols, func(a, b Symbol) int {
		if c := strings.Compare(a.Library, b.Library); c != 0 {
			return c
		}
		return strings.Compare(a.Symbol, b.Symbol)
	})
	d.Symbols = slices.Compact(d.Symbols)
	return nil
}

func (d *Document) parseInterpreters(res map[string]any, at string) error {
	seen := map[string]bool{}
	return eachObject(res, at, "python-interpreters", func(m map[string]any, at string) error {
		var in Interpreter
		var err error
		if in.Path, err = reqString(m, at, "path"); err != nil {
			return err
		}
		if in.Link, err = nullableString(m, at, "link"); err != nil {
			return err
		}
		if in.Version, err = nullableString(m, at, "version"); err != nil {
			return err
		}
		if err := long(m, at, "path"); err != nil {
			return err
		}
		if !seen[in.Path] {
			seen[in.Path] = true
			d.Interpreters = append(d.Interpreters, in)
		}
		return nil
	})
}

var sha256Hex = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

func (d *Document) parseFiles(res map[string]any, at string) error {
	seen := map[string]bool{}
	return eachObject(res, at, "python-files", func(m map[string]any, at string) error {
		var f File
		var err error
		if f.Path, err = reqString(m, at, "filepath"); err != nil {
			return err
		}
		if err := long(m, at, "filepath"); err != nil {
			return err
		}
		if f.SHA256, err = reqString(m, at, "sha256"); err != nil {
			return err
		}
		if !sha256Hex.MatchString(f.SHA256) {
			return invalid(join(at, "sha256"), "want 64 hexadecimal digits, got %q", f.SHA256)
		}
		f.SHA256 = strings.ToLower(f.SHA256)
		if !seen[f.Path] {
			seen[f.Path] = true
			d.Files = append(d.Files, f)
		}
		return nil
	})
}

// splitImage splits an image reference into its name, its tag ("latest"
// when it names none) and the digest it names, if any:
// "quay.io:443/ns/img:v1" -> "quay.io:443/ns/img", "v1";
// "img@sha256:ab…" -> "img", "latest", "sha256:ab…".
func splitImage(ref string) (name, tag, digest string) {
	name, tag = ref, "latest"
	if n, dg, ok := strings.Cut(name, "@"); ok {
		name, digest = n, dg
	}
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') && i < len(name)-1 {
		name, tag = name[:i], name[i+1:]
	}
	return name, tag, digest
}

var pyImage = regexp.MustCompile(`-py(\d{2,3})$`)

// pythonOfImage returns the Python version an image's name ends with, as
// Thoth's s2i images name it ("…-py38" -> "3.8", "…-py310" -> "3.10").
func pythonOfImage(name string) string {
	m := pyImage.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	return python.Environment{PythonVersion: m[1]}.Normalized().PythonVersion
}

// parseTime reads metadata.datetime: RFC 3339, or Thoth's zone-less
// isoformat ("2018-04-27T12:44:26.547204"), taken as UTC.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("want an ISO 8601 date and time, got %q", s)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
