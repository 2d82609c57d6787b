package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/python"
	"github.com/seshat-graph/seshat/resolve"
)

const resolveUsage = `resolve -r FILE --environment OS:VERSION:PYTHON [flags] [REQUIREMENT ...]

Resolves requirements in an environment against the knowledge graph, as the
resolve query does (same engine): one version per package such that every
requirement of every chosen version admits it, read level by level from the
graph and solved in memory. Prints the lock on stdout; exits 1 with the
conflict explained on stderr when there is none.

Requirements come from -r files (pip's format: one PEP 508 requirement a
line, # comments, \ continuations, -r/-c of other files, --index-url and
--extra-index-url) and from the arguments.

  -r FILE              requirements file (repeatable; - for stdin)
  -c FILE              constraints file: bounds versions without adding packages (repeatable)
  --environment ENV    rhel:8:3.8, fedora:31:3.7, or a Thoth solver name (solver-rhel-8-py38)
  --format F           txt (requirements.txt with --hash lines, the default),
                       pipfile-lock (Pipfile.lock), json (the whole resolution)
  --strategy S         latest (default) or oldest (the lowest admissible versions)
  --index-url URL      allowed index, in priority order (repeatable; default: every enabled index)
  --pre                allow pre-releases
  --exclude-vulnerable leave out versions an OSV record matches

Examples:
  seshat resolve -r requirements.txt --environment rhel:8:3.8
  seshat resolve --environment fedora:31:3.7 --format pipfile-lock 'dask[array]'`

func runResolve(ctx context.Context, e *env, args []string) error {
	fs := e.flags("resolve", resolveUsage)
	var files, constraintFiles, indexes stringList
	fs.Var(&files, "r", "requirements file (repeatable)")
	fs.Var(&constraintFiles, "c", "constraints file (repeatable)")
	fs.Var(&indexes, "index-url", "allowed index (repeatable)")
	envSpec := fs.String("environment", "", "OS:VERSION:PYTHON or a solver name")
	format := fs.String("format", "txt", "txt, pipfile-lock or json")
	strategy := fs.String("strategy", "latest", "latest or oldest")
	pre := fs.Bool("pre", false, "allow pre-releases")
	excludeVulnerable := fs.Bool("exclude-vulnerable", false, "leave out vulnerable versions")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	in := resolve.Input{AllowPrereleases: *pre, ExcludeVulnerable: *excludeVulnerable}
	switch strings.ToLower(*strategy) {
	case "latest":
	case "oldest":
		in.Strategy = resolve.Oldest
	default:
		return usageError{fmt.Sprintf("--strategy %q: want latest or oldest", *strategy)}
	}
	switch *format {
	case "txt", "pipfile-lock", "json":
	default:
		return usageError{fmt.Sprintf("--format %q: want txt, pipfile-lock or json", *format)}
	}
	if *envSpec == "" {
		return usageError{"--environment is required (for example rhel:8:3.8)"}
	}
	environment, err := parseEnvironment(*envSpec)
	if err != nil {
		return usageError{err.Error()}
	}
	in.Environment = environment
	var rf reqFile
	for _, f := range files {
		if err := rf.read(f, false, e.stdin(), 0); err != nil {
			return err
		}
	}
	for _, f := range constraintFiles {
		if err := rf.read(f, true, e.stdin(), 0); err != nil {
			return err
		}
	}
	in.Requirements = append(rf.requirements, fs.Args()...)
	in.Constraints = rf.constraints
	in.IndexURLs = append(rf.indexes, indexes...)
	if len(in.Requirements) == 0 {
		return usageError{"no requirements: give -r FILE or requirements as arguments"}
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	store, err := e.openStore(ctx, c, e.logger(c), nil)
	if err != nil {
		return err
	}
	defer store.Close()
	lock, err := resolve.Resolve(ctx, store, in)
	if err != nil {
		return err
	}
	if *format == "json" {
		if err := writeLockJSON(e.stdout, lock); err != nil {
			return err
		}
	}
	if !lock.Resolved {
		explanation := "no resolution"
		if lock.Explanation != nil {
			explanation = *lock.Explanation
		}
		return fmt.Errorf("not resolved: %s", explanation)
	}
	switch *format {
	case "txt":
		_, err = io.WriteString(e.stdout, *lock.RequirementsTxt)
	case "pipfile-lock":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "    ")
		err = enc.Encode(lock.PipfileLock)
	}
	if err != nil {
		return err
	}
	noun := "packages"
	if len(lock.Packages) == 1 {
		noun = "package"
	}
	fmt.Fprintf(e.stderr, "resolved %d %s in %s %s / Python %s: %d steps, %d SQL statements\n",
		len(lock.Packages), noun, lock.Environment.OSName, lock.Environment.OSVersion, lock.Environment.PythonVersion,
		lock.Steps, lock.Statements)
	return nil
}

func (e *env) stdin() io.Reader {
	if e.in != nil {
		return e.in
	}
	return os.Stdin
}

// writeLockJSON writes the whole resolution with the query's field names.
func writeLockJSON(w io.Writer, lock *resolve.Lock) error {
	type version struct {
		Name     string  `json:"name"`
		Version  string  `json:"version"`
		IndexURL *string `json:"indexUrl"`
	}
	type environment struct {
		OSName        string `json:"osName"`
		OSVersion     string `json:"osVersion"`
		PythonVersion string `json:"pythonVersion"`
	}
	out := struct {
		*resolve.Lock
		Environment *environment `json:"environment"`
		Unsolved    []version    `json:"unsolved"`
	}{Lock: lock, Unsolved: []version{}}
	if e := lock.Environment; e != nil {
		out.Environment = &environment{e.OSName, e.OSVersion, e.PythonVersion}
	}
	for _, v := range lock.Unsolved {
		out.Unsolved = append(out.Unsolved, version{v.Name, v.Version, v.IndexURL})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// parseEnvironment reads OS:VERSION:PYTHON or a Thoth solver name.
func parseEnvironment(s string) (python.Environment, error) {
	if parts := strings.Split(s, ":"); len(parts) == 3 {
		env := python.Environment{OSName: parts[0], OSVersion: parts[1], PythonVersion: parts[2]}.Normalized()
		if err := persistence.ValidateEnvironment(env); err != nil {
			return env, fmt.Errorf("--environment %q: %v", s, err)
		}
		return env, nil
	}
	if env, err := persistence.ParseSolverName(s); err == nil {
		return env, nil
	}
	return python.Environment{}, fmt.Errorf("--environment %q: want OS:VERSION:PYTHON (rhel:8:3.8) or a solver name (solver-rhel-8-py38)", s)
}

// reqFile gathers what pip-format requirements files say.
type reqFile struct {
	requirements, constraints, indexes []string
}

// read reads one requirements file (pip's format); nested -r and -c files
// are relative to it. Errors name the file and line.
func (rf *reqFile) read(path string, constraints bool, stdin io.Reader, depth int) error {
	if depth > 10 {
		return fmt.Errorf("%s: -r and -c nest more than 10 deep", path)
	}
	var r io.Reader
	if path == "-" {
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(r)
	lineNo, logical, start := 0, "", 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if logical == "" {
			start = lineNo
		}
		if strings.HasSuffix(line, `\`) {
			logical += strings.TrimSuffix(line, `\`)
			continue
		}
		logical += line
		text := logical
		logical = ""
		if i := strings.Index(text, " #"); i >= 0 {
			text = text[:i]
		}
		if text = strings.TrimSpace(text); text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, start)
		if strings.HasPrefix(text, "-") {
			opt, val, _ := strings.Cut(strings.Replace(text, "=", " ", 1), " ")
			val = strings.TrimSpace(val)
			rel := func(p string) string {
				if path == "-" || filepath.IsAbs(p) {
					return p
				}
				return filepath.Join(filepath.Dir(path), p)
			}
			switch opt {
			case "-r", "--requirement":
				if err := rf.read(rel(val), constraints, stdin, depth+1); err != nil {
					return err
				}
			case "-c", "--constraint":
				if err := rf.read(rel(val), true, stdin, depth+1); err != nil {
					return err
				}
			case "-i", "--index-url", "--extra-index-url":
				rf.indexes = append(rf.indexes, val)
			case "--hash", "--pre", "--no-binary", "--only-binary", "--prefer-binary", "--require-hashes",
				"--trusted-host", "-f", "--find-links", "--no-index":
				// Options of pip's install that do not bear on the resolution.
			default:
				return fmt.Errorf("%s: option %s is not supported in a requirements file here", where, opt)
			}
			continue
		}
		// A requirement line may carry per-requirement options (--hash=...).
		if i := strings.Index(text, " --"); i >= 0 {
			text = strings.TrimSpace(text[:i])
		}
		if _, err := python.ParseRequirement(text); err != nil {
			return persistence.Errorf(persistence.CodeInvalid, "%s: %v", where, err)
		}
		if constraints {
			rf.constraints = append(rf.constraints, text)
		} else {
			rf.requirements = append(rf.requirements, text)
		}
	}
	return sc.Err()
}
