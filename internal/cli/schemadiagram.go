package cli

import (
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"

	"github.com/seshat-graph/seshat/persistence"
)

// mermaidType makes a catalog type one word, as mermaid's erDiagram wants.
func mermaidType(t string) string {
	t = strings.NewReplacer("timestamp with time zone", "timestamptz", "timestamp without time zone", "timestamp",
		"double precision", "float8", "character varying", "varchar", "[]", "_array").Replace(t)
	return regexp.MustCompile(`[^A-Za-z0-9_]+`).ReplaceAllString(t, "_")
}

// writeMermaid draws tables as a mermaid erDiagram: each foreign key a
// relationship labelled with its columns, each table with its columns and
// their keys.
func writeMermaid(w io.Writer, tables []persistence.CatalogTable) error {
	var b strings.Builder
	b.WriteString("erDiagram\n")
	for _, t := range tables {
		for _, fk := range t.Keys {
			card := "||--o{"
			if fk.Nullable {
				card = "|o--o{"
			}
			fmt.Fprintf(&b, "    %s %s %s : \"%s\"\n", fk.Table, card, t.Name, strings.Join(fk.Columns, ", "))
		}
	}
	for _, t := range tables {
		fks := map[string]bool{}
		for _, fk := range t.Keys {
			for _, c := range fk.Columns {
				fks[c] = true
			}
		}
		fmt.Fprintf(&b, "    %s {\n", t.Name)
		for _, c := range t.Columns {
			var keys []string
			if c.PrimaryKey {
				keys = append(keys, "PK")
			}
			if fks[c.Name] {
				keys = append(keys, "FK")
			}
			if c.Unique {
				keys = append(keys, "UK")
			}
			line := "        " + mermaidType(c.Type) + " " + c.Name
			if len(keys) > 0 {
				line += " " + strings.Join(keys, ", ")
			}
			if !c.NotNull {
				line += ` "nullable"`
			}
			b.WriteString(line + "\n")
		}
		b.WriteString("    }\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeDot draws tables for Graphviz: a record per table listing its
// columns, an edge per foreign key from its column to the table it names.
func writeDot(w io.Writer, tables []persistence.CatalogTable) error {
	var b strings.Builder
	b.WriteString("digraph seshat {\n  rankdir=LR;\n  graph [fontname=\"Helvetica\"];\n  node [shape=plaintext, fontname=\"Helvetica\", fontsize=10];\n  edge [arrowhead=none, arrowtail=crow, dir=both, color=\"#555555\"];\n")
	for _, t := range tables {
		fmt.Fprintf(&b, "  %q [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\"><tr><td bgcolor=\"#dde6f0\"><b>%s</b></td></tr>", t.Name, html.EscapeString(t.Name))
		for _, c := range t.Columns {
			name := html.EscapeString(c.Name)
			if c.PrimaryKey {
				name = "<u>" + name + "</u>"
			}
			fmt.Fprintf(&b, "<tr><td align=\"left\" port=%q>%s <font color=\"#777777\">%s</font></td></tr>", c.Name, name, html.EscapeString(c.Type))
		}
		b.WriteString("</table>>];\n")
	}
	for _, t := range tables {
		for _, fk := range t.Keys {
			style := ""
			if fk.Nullable {
				style = " [style=dashed]"
			}
			fmt.Fprintf(&b, "  %q -> %q:%q%s;\n", fk.Table, t.Name, fk.Columns[0], style)
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
