package cli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/seshat-graph/seshat/migrations"
	"github.com/seshat-graph/seshat/persistence"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := e.flags("migrate", `migrate up | down [N|--all] | version | force V

  up         apply every pending migration
  down N     roll back N migrations (down --all rolls back everything)
  version    print the database's schema version and the newest known one
  force V    record version V as applied and clean, after repairing a failed migration by hand`)
	all := fs.Bool("all", false, "with down: roll back every migration")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return usageError{"missing subcommand: up, down, version or force"}
	}
	// Allow flags after the subcommand too: migrate down --all.
	if err := fs.Parse(rest[1:]); err != nil {
		return usageError{err.Error()}
	}
	sub, operands := rest[0], fs.Args()
	switch sub {
	case "up", "down", "force", "version":
	default:
		return usageError{fmt.Sprintf("unknown subcommand %q: want up, down, version or force", sub)}
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	m, err := migrations.New(c.DatabaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	switch sub {
	case "up":
		if err := m.Up(); err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
	case "down":
		n := 1
		switch {
		case *all:
			n = 0
		case len(operands) == 1:
			n, err = strconv.Atoi(operands[0])
			if err != nil || n < 1 {
				return usageError{fmt.Sprintf("down %q: want a positive number of migrations", operands[0])}
			}
		case len(operands) > 1:
			return usageError{"down takes at most one number"}
		}
		if err := m.Down(n); err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
	case "force":
		if len(operands) != 1 {
			return usageError{"force needs a version"}
		}
		v, err := strconv.Atoi(operands[0])
		if err != nil || v < -1 {
			return usageError{fmt.Sprintf("force %q: want a version number", operands[0])}
		}
		if err := m.Force(v); err != nil {
			return fmt.Errorf("migrate force: %w", err)
		}
	}
	st, err := m.Status()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema version %d (newest %d)%s\n", st.Version, st.Latest, dirtyNote(st))
	return nil
}

func dirtyNote(st migrations.Status) string {
	if st.Dirty {
		return fmt.Sprintf(", DIRTY: a migration failed; repair it, then run 'seshat migrate force %d'", st.Version)
	}
	return ""
}

// checkSchema refuses a database whose schema is behind, ahead or dirty,
// naming the command that fixes it. It reads the version through the store's
// pool with ctx and takes no migration lock: /readyz answers while a
// migration runs.
func checkSchema(ctx context.Context, store *persistence.Store) error {
	latest, err := migrations.Latest()
	if err != nil {
		return err
	}
	v, dirty, err := store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case dirty:
		return fmt.Errorf("database schema is dirty at version %d (a migration failed): repair it, then run 'seshat migrate force %d'", v, v)
	case v < latest:
		return fmt.Errorf("database schema is at version %d, this binary needs %d: run 'seshat migrate up' (or 'seshat serve --migrate')", v, latest)
	case v > latest:
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d): upgrade seshat", v, latest)
	}
	return nil
}
