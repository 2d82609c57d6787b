package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/persistence"
)

const schemaUsage = `schema [--database [--format mermaid|dot|png] [--output FILE]]

Without --database, prints the GraphQL schema the gateway serves, in SDL.

With --database, draws the knowledge graph's tables, keys and foreign keys
as the live catalog of SESHAT_DATABASE_URL has them (what Thoth's
thoth-storages generate-schema drew): mermaid (an erDiagram, the default;
docs/ARCHITECTURE.md's model diagram is this output), dot (Graphviz), or png
(rendered by Graphviz's dot, which must be installed: Debian's graphviz
package). png needs --output; the others print to stdout unless given one.

Examples:
  seshat schema > schema.graphql
  seshat schema --database --format png --output schema.png`

func runSchema(ctx context.Context, e *env, args []string) error {
	fs := e.flags("schema", schemaUsage)
	database := fs.Bool("database", false, "draw the database's tables instead of printing the GraphQL schema")
	format := fs.String("format", "mermaid", "with --database: mermaid, dot or png")
	output := fs.String("output", "", "write to FILE instead of stdout")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if !*database {
		var b bytes.Buffer
		formatter.NewFormatter(&b, formatter.WithComments()).FormatSchema(graph.NewExecutableSchema(graph.Config{}).Schema())
		return e.emit(*output, b.Bytes())
	}
	switch *format {
	case "mermaid", "dot":
	case "png":
		if *output == "" {
			return usageError{"--format png needs --output FILE"}
		}
	default:
		return usageError{fmt.Sprintf("--format %q: want mermaid, dot or png", *format)}
	}
	dot := ""
	if *format == "png" {
		var err error
		if dot, err = exec.LookPath("dot"); err != nil {
			return errors.New("--format png needs Graphviz's dot, which is not on PATH: install it (Debian: apt-get install graphviz), or use --format dot or mermaid")
		}
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
	tables, err := store.Catalog(ctx)
	if err != nil {
		return err
	}
	if len(tables) == 0 {
		return persistence.Errorf(persistence.CodeNotFound, "the database has no tables: run seshat migrate up first")
	}
	var b bytes.Buffer
	if *format == "mermaid" {
		err = writeMermaid(&b, tables)
	} else {
		err = writeDot(&b, tables)
	}
	if err != nil || *format != "png" {
		if err != nil {
			return err
		}
		return e.emit(*output, b.Bytes())
	}
	cmd := exec.CommandContext(ctx, dot, "-Tpng", "-o", *output)
	cmd.Stdin = &b
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("dot -Tpng: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d tables)\n", *output, len(tables))
	return nil
}

// emit writes data to the file named by output, or to stdout when it is "".
func (e *env) emit(output string, data []byte) error {
	if output == "" {
		_, err := e.stdout.Write(data)
		return err
	}
	return os.WriteFile(output, data, 0o644)
}
