package migrations_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/migrations"
	"github.com/seshat-graph/seshat/python"
)

// beforeNormalForms migrates a fresh database to the version before 0005
// (the migration that normalises versions and index URLs) and returns its
// URL, migrator and the number of migrations from 0005 on.
func beforeNormalForms(t *testing.T) (string, *migrations.Migrator, int) {
	t.Helper()
	url := testenv.Database(t)
	m, err := migrations.New(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.Up(); err != nil {
		t.Fatal(err)
	}
	ups, err := fs.Glob(migrations.Files(), "*.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for _, f := range ups {
		var v int
		if _, err := fmt.Sscanf(f, "%d_", &v); err == nil && v >= 5 {
			steps++
		}
	}
	if err := m.Down(steps); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.Status(); st.Version >= 5 {
		t.Fatalf("at version %d, want the one before 0005", st.Version)
	}
	return url, m, steps
}

func exec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestVersionNormalFormSQL: the migration's PEP 440 normal form is
// python.NormalizeVersion's, for every spelling of the table and a few
// that PEP 440 does not describe (kept as written, trimmed).
func TestVersionNormalFormSQL(t *testing.T) {
	url, m, _ := beforeNormalForms(t)
	conn := testenv.Conn(t, url)
	spellings := []string{
		"2.0.0rc1", "2.0.0-rc1", "2.0.0.RC1", "1.0", "1.0.0", "0", "01.02", "1.00", "v1.0", "V1", " 1.0 ", "1!1.0", "0!1.0", "007!1",
		"1.0-alpha1", "1.0.a1", "1.0alpha", "1.0_beta_2", "1.0c1", "1.0pre2", "1.0preview", "1.0.rc.1", "1.0-1", "1.0post",
		"1.0r2", "1.0-rev3", "1.0.dev", "1.0-dev-2", "1.0.DEV3", "1.0a1.post2.dev3", "1.0+Ubuntu-1", "1.0+abc.007",
		"1.0+a_b-c.d", "1.0-foo", "not a version", "1.0+", " 1..0 ", "2013b",
	}
	exec(t, conn, `INSERT INTO package (name) VALUES ('p')`)
	for i, s := range spellings {
		// One index per spelling, so that no two rows merge.
		exec(t, conn, `INSERT INTO package_index (url) VALUES ($1)`, fmt.Sprintf("https://i%d.example.com/simple", i))
		exec(t, conn, `INSERT INTO package_version (package_id, version, index_id)
			SELECT p.id, $1, ix.id FROM package p, package_index ix WHERE p.name = 'p' AND ix.url = $2`,
			s, fmt.Sprintf("https://i%d.example.com/simple", i))
	}
	if err := m.Up(); err != nil {
		t.Fatalf("Up: %v", err)
	}
	for i, s := range spellings {
		var got string
		var text *string
		if err := conn.QueryRow(context.Background(), `
			SELECT pv.version, pv.version_text FROM package_version pv JOIN package_index ix ON ix.id = pv.index_id
			WHERE ix.url = $1`, fmt.Sprintf("https://i%d.example.com/simple", i)).Scan(&got, &text); err != nil {
			t.Fatal(err)
		}
		want, _ := python.NormalizeVersion(s)
		if got != want {
			t.Errorf("%q: migrated to %q, python.NormalizeVersion says %q", s, got, want)
		}
		switch {
		case s == want && text != nil:
			t.Errorf("%q: version_text %q, want NULL (the spelling is the normal form)", s, *text)
		case s != want && (text == nil || *text != s):
			t.Errorf("%q: version_text %v, want the spelling", s, text)
		}
	}
}

// TestNormalFormsMerge: rows that differ only in their normal forms become
// one: the indexes https://pypi.python.org/simple/ and
// https://pypi.org/simple, the versions 2.0.0-rc1, 2.0.0rc1 and 2.0.0.RC1
// of one package on them; every reference moves to the kept rows, the
// newest solver run of a version solved twice in one environment wins,
// and facts that would repeat a unique key are kept once.
func TestNormalFormsMerge(t *testing.T) {
	url, m, steps := beforeNormalForms(t)
	ctx := context.Background()
	conn := testenv.Conn(t, url)
	// Ids are assigned in insertion order (the down migration leaves the
	// PyPI row 0005 registered; it goes here).
	for _, q := range []string{
		`TRUNCATE package_index RESTART IDENTITY CASCADE`,
		`INSERT INTO package_index (url, enabled, warehouse_api_url) VALUES
			('https://pypi.python.org/simple/', false, 'https://pypi.python.org/pypi'),
			('https://pypi.org/simple', true, NULL),
			('HTTPS://Mirror.example.com/simple/', false, NULL)`,
		`INSERT INTO package (name) VALUES ('a'), ('b')`,
		// 1: a 2.0.0-rc1 on pypi.python.org (kept: lowest id); 2, 3: the
		// same on pypi.org; 4: a 1.0 on the mirror; 5: b 1.0 on pypi.org.
		`INSERT INTO package_version (package_id, version, index_id) VALUES
			(1, '2.0.0-rc1', 1), (1, '2.0.0rc1', 2), (1, '2.0.0.RC1', 2), (1, '1.0', 3), (2, '1.0', 2)`,
		`INSERT INTO environment (os_name, os_version, python_version) VALUES ('rhel', '8', '3.8')`,
		`INSERT INTO solver (name, version) VALUES ('solver-rhel-8-py38', '1')`,
		`INSERT INTO document (id, kind) VALUES ('d-old', 'solver'), ('d-new', 'solver')`,
		// Versions 1 and 2 solved in the same environment: 2's run is newer.
		`INSERT INTO solved (version_id, environment_id, solver_id, document_id, solved_at) VALUES
			(1, 1, 1, 'd-old', '2020-01-01'), (2, 1, 1, 'd-new', '2021-01-01'), (5, 1, 1, 'd-new', '2021-01-01')`,
		// b 1.0 depends on a, resolved to versions 1, 2 and 3: one target.
		`INSERT INTO depends_on (solved_id, version_id, environment_id, package_id, version_range, document_id)
			VALUES (3, 5, 1, 1, '>=2.0.0rc1', 'd-new')`,
		`INSERT INTO depends_on_resolved (edge_id, version_id) VALUES (1, 1), (1, 2), (1, 3)`,
		`INSERT INTO package_metadata (version_id, summary, document_id) VALUES (1, 'old', 'd-old'), (2, 'new', 'd-new')`,
		`INSERT INTO artifact (version_id, name, sha256, document_id) VALUES
			(1, '', 'aa', 'd-old'), (2, '', 'aa', 'd-new'), (3, '', 'bb', 'd-new')`,
		`INSERT INTO solver_problem (document_id, environment_id, kind, package_name, version, index_url) VALUES
			('d-old', 1, 'error', 'a', '2.0.0-rc1', 'https://pypi.python.org/simple'),
			('d-old', 1, 'error', 'a', '2.0.0rc1', 'https://pypi.org/simple/'),
			('d-old', 1, 'unresolved', 'a', '==2.0.0-rc1', 'https://pypi.org/simple/')`,
	} {
		exec(t, conn, q)
	}
	if err := m.Up(); err != nil {
		t.Fatalf("Up: %v", err)
	}

	type index struct {
		ID        int64
		URL       string
		Enabled   bool
		Warehouse *string
	}
	rows, _ := conn.Query(ctx, `SELECT id, url, enabled, warehouse_api_url FROM package_index ORDER BY id`)
	indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
	if err != nil {
		t.Fatal(err)
	}
	if len(indexes) != 2 || indexes[0].ID != 1 || indexes[0].URL != python.PyPI || !indexes[0].Enabled ||
		indexes[0].Warehouse == nil || *indexes[0].Warehouse != "https://pypi.python.org/pypi" ||
		indexes[1].URL != "https://mirror.example.com/simple" || indexes[1].Enabled {
		t.Errorf("indexes = %+v, want PyPI (id 1, enabled as one of the two was, its warehouse kept) and the mirror, disabled", indexes)
	}

	type version struct {
		ID      int64
		Package int64
		Version string
		Text    *string
		Index   int64
	}
	rows, _ = conn.Query(ctx, `SELECT id, package_id, version, version_text, index_id FROM package_version ORDER BY id`)
	versions, err := pgx.CollectRows(rows, pgx.RowToStructByPos[version])
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 3 || versions[0].ID != 1 || versions[0].Version != "2.0.0rc1" || versions[0].Text == nil ||
		*versions[0].Text != "2.0.0-rc1" || versions[0].Index != 1 || versions[1].ID != 4 || versions[2].ID != 5 {
		t.Errorf("versions = %+v, want a 2.0.0rc1 (id 1, shown as 2.0.0-rc1, on PyPI), a 1.0 and b 1.0", versions)
	}

	count := func(q string, want int) {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	count(`SELECT count(*) FROM solved WHERE version_id = 1 AND document_id = 'd-new'`, 1)
	count(`SELECT count(*) FROM solved`, 2)
	count(`SELECT count(*) FROM depends_on_resolved WHERE edge_id = 1 AND version_id = 1`, 1)
	count(`SELECT count(*) FROM depends_on_resolved`, 1)
	count(`SELECT count(*) FROM package_metadata WHERE version_id = 1 AND summary = 'old'`, 1)
	count(`SELECT count(*) FROM package_metadata`, 1)
	count(`SELECT count(*) FROM artifact WHERE version_id = 1`, 2)
	count(`SELECT count(*) FROM artifact`, 2)
	count(`SELECT count(*) FROM solver_problem WHERE kind = 'error' AND version = '2.0.0rc1' AND index_url = 'https://pypi.org/simple'`, 1)
	count(`SELECT count(*) FROM solver_problem WHERE kind = 'unresolved' AND version = '==2.0.0-rc1' AND index_url = 'https://pypi.org/simple'`, 1)
	count(`SELECT count(*) FROM solver_problem`, 2)
	count(`SELECT count(*) FROM pg_proc WHERE proname LIKE 'seshat_0005_%'`, 0)

	// Indexes documents bring from now on are disabled.
	exec(t, conn, `INSERT INTO package_index (url) VALUES ('https://new.example.com/simple')`)
	count(`SELECT count(*) FROM package_index WHERE url = 'https://new.example.com/simple' AND NOT enabled`, 1)

	if err := m.Down(steps); err != nil {
		t.Fatalf("Down(%d): %v", steps, err)
	}
	var def string
	if err := conn.QueryRow(ctx, `SELECT column_default FROM information_schema.columns
		WHERE table_name = 'package_index' AND column_name = 'enabled'`).Scan(&def); err != nil || !strings.Contains(def, "true") {
		t.Errorf("after 0005 down: enabled defaults to %q, %v; want true", def, err)
	}
}

// TestPyPIRegistered: a fresh graph knows PyPI, enabled.
func TestPyPIRegistered(t *testing.T) {
	url := testenv.MigratedDatabase(t)
	conn := testenv.Conn(t, url)
	var enabled bool
	var warehouse *string
	if err := conn.QueryRow(context.Background(), `SELECT enabled, warehouse_api_url FROM package_index WHERE url = $1`, python.PyPI).
		Scan(&enabled, &warehouse); err != nil || !enabled || warehouse == nil || *warehouse != "https://pypi.org/pypi" {
		t.Fatalf("PyPI: enabled %v, warehouse %v, %v", enabled, warehouse, err)
	}
}
