// Command seshat is a GraphQL knowledge-graph gateway for the Python
// dependency graph: it serves packages, versions, per-environment dependency
// edges and whole transitive walks, and ingests Thoth result documents. The
// commands live in internal/cli; `seshat --help` lists them.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/seshat-graph/seshat/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
