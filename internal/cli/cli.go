// Package cli is the seshat command line: its commands, the configuration
// read from the environment, and the wiring of the gateway. The module's
// main.go only hands it the process's arguments, environment and signals.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/seshat-graph/seshat/persistence"
	"github.com/seshat-graph/seshat/server"
)

// version is set at build time with
// -ldflags "-X github.com/seshat-graph/seshat/internal/cli.version=...".
var version = "dev"

// env is what every command gets: its streams and the environment lookup.
type env struct {
	lookup func(string) (string, bool)
	stdout io.Writer
	stderr io.Writer
	// in is what "-" reads (resolve -r -); nil means os.Stdin.
	in io.Reader
	// ready, when set, is called by serve with its listening address.
	ready func(addr string)
}

// command is one subcommand of the CLI.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":           {"run the GraphQL gateway", runServe},
		"migrate":         {"apply or roll back database migrations", runMigrate},
		"schema":          {"print the GraphQL schema (SDL)", runSchema},
		"gen":             {"generate Thoth solver documents for sample data and benchmarks", runGen},
		"version":         {"print the version", runVersion},
		"sync":            {"ingest result documents from the document store", runSync},
		"put":             {"upload result documents into the document store", runPut},
		"vulnerabilities": {"import OSV vulnerability records and match them to versions", runVulnerabilities},
		"backup":          {"dump the knowledge graph into the document store, keep the newest", runBackup},
		"restore":         {"load a backup into an empty database", runRestore},
		"documents":       {"delete documents with the facts they wrote", runDocuments},
		"refresh":         {"list what to solve and analyse next (graph-refresh), record and post it", runRefresh},
		"stats":           {"print the knowledge graph's figures (packages, backlogs, documents)", runStats},
		"resolve":         {"resolve requirements in an environment into a lock (requirements.txt, Pipfile.lock)", runResolve},
	}
}

// usageError makes run print the command's usage and exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Run runs one seshat command line (args without the program's name) with
// the environment lookup and streams given, and returns its exit code; ctx
// ends on SIGINT/SIGTERM in main.
func Run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	return (&env{lookup: lookup, stdout: stdout, stderr: stderr}).run(ctx, args)
}

func (e *env) run(ctx context.Context, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			if c, ok := cmds[args[1]]; ok {
				_ = c.run(ctx, e, []string{"--help"})
				return 0
			}
		}
		e.usage(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" {
		args[0] = "version"
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "seshat: unknown command %q\n\n", args[0])
		e.usage(e.stderr)
		return 2
	}
	err := c.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "seshat %s: %s\nRun 'seshat %s --help' for usage.\n", args[0], ue.msg, args[0])
		return 2
	}
	if errors.Is(err, errFailedDocuments) {
		fmt.Fprintf(e.stderr, "seshat %s: %v\n", args[0], err)
		return 1
	}
	fmt.Fprintf(e.stderr, "seshat %s: %s\n", args[0], describe(err))
	return 1
}

// errFailedDocuments marks a sync whose documents failed (exit 1, after the summary).
var errFailedDocuments = errors.New("some documents failed")

// describe renders an error for the terminal: the coded message and cause.
func describe(err error) string {
	var coded *persistence.Error
	if errors.As(err, &coded) {
		if coded.Err != nil {
			return fmt.Sprintf("%s (%s): %v", coded.Message, coded.Code, coded.Err)
		}
		return fmt.Sprintf("%s (%s)", coded.Message, coded.Code)
	}
	return err.Error()
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintln(w, `seshat - GraphQL knowledge-graph gateway for the Python dependency graph

Usage: seshat <command> [flags]

Commands:`)
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, n := range names {
		fmt.Fprintf(tw, "  %s\t%s\n", n, cmds[n].summary)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nRun 'seshat <command> --help' for a command's flags.")
	fmt.Fprintln(w)
	printSettings(w)
}

// printSettings writes the environment variable table for --help.
func printSettings(w io.Writer) {
	fmt.Fprintln(w, "Environment:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t(default %s)\n", s.name, s.help, def)
	}
	tw.Flush()
}

// flags returns a FlagSet for a subcommand whose --help prints its usage,
// flags and the environment table.
func (e *env) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: seshat %s\n\n", usage)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(w, "Flags:")
			fs.PrintDefaults()
			fmt.Fprintln(w)
		}
		printSettings(w)
	}
	return fs
}

// parse parses args; --help prints to stdout and returns flag.ErrHelp.
func (e *env) parse(fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// config loads and validates the configuration.
func (e *env) config() (Config, error) {
	c, err := LoadConfig(e.lookup)
	if err != nil {
		return c, fmt.Errorf("invalid configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	return c, nil
}

// logger builds the process logger from the configuration.
func (e *env) logger(c Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	var h slog.Handler
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(e.stderr, opts)
	} else {
		h = slog.NewTextHandler(e.stderr, opts)
	}
	return slog.New(server.LogHandler{Handler: h})
}

// openStore connects to the knowledge graph and refuses a database whose
// schema this binary does not run on (checkSchema), naming the fix.
// A nil tracer gets one that logs statements when SESHAT_DEBUG_QUERIES is set.
func (e *env) openStore(ctx context.Context, c Config, logger *slog.Logger, tracer *persistence.Tracer) (*persistence.Store, error) {
	return e.openStoreWith(ctx, c, storeOptions(c, logger, tracer))
}

// storeOptions are the persistence options the configuration c sets, with
// a tracer that logs statements when SESHAT_DEBUG_QUERIES is set for a nil
// tracer.
func storeOptions(c Config, logger *slog.Logger, tracer *persistence.Tracer) persistence.Options {
	if tracer == nil {
		tracer = &persistence.Tracer{Logger: logger, Log: c.DebugQueries}
	}
	return persistence.Options{Logger: logger, Tracer: tracer, MaxConns: c.DBMaxConns, AcquireTimeout: c.DBAcquireTimeout,
		TransactionPooling: c.DatabaseTransactionPooling}
}

// openStoreWith is openStore with the options opts.
func (e *env) openStoreWith(ctx context.Context, c Config, opts persistence.Options) (*persistence.Store, error) {
	store, err := persistence.Open(ctx, c.DatabaseURL, opts)
	if err != nil {
		return nil, err
	}
	if err := checkSchema(ctx, store); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := e.flags("version", "version")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seshat %s\n", version)
	return nil
}
