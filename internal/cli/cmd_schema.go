package cli

import (
	"context"

	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/seshat-graph/seshat/graph"
)

func runSchema(ctx context.Context, e *env, args []string) error {
	fs := e.flags("schema", "schema\n\nPrints the GraphQL schema the gateway serves, in SDL.")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	formatter.NewFormatter(e.stdout, formatter.WithComments()).FormatSchema(graph.NewExecutableSchema(graph.Config{}).Schema())
	return nil
}
