package persistence

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/python"
)

// The kinds of requests refresh makes, as Thoth's messages named them.
const (
	RequestUnresolved   = "unresolved-package"
	RequestUnrevsolved  = "unrevsolved-package"
	RequestSIUnanalyzed = "si-unanalyzed-package"
)

// SolverRequest is one thing to solve or analyse next, in the shape of
// Thoth's messages: unresolved-package {package_name, package_version,
// index_url, solver}, unrevsolved-package {package_name, package_version},
// si-unanalyzed-package {package_name, package_version, index_url}.
type SolverRequest struct {
	Kind           string  `json:"-"`
	PackageName    string  `json:"package_name"`
	PackageVersion *string `json:"package_version"`
	IndexURL       *string `json:"index_url,omitempty"`
	Solver         string  `json:"solver,omitempty"`
}

// SolverName is Thoth's name of the solver of an environment:
// solver-rhel-8-py38.
func SolverName(env EnvironmentKey) string {
	env = env.Normalized()
	return "solver-" + env.OSName + "-" + env.OSVersion + "-py" + strings.ReplaceAll(env.PythonVersion, ".", "")
}

// ParseSolverName reads a solver name (solver-rhel-8-py38) as its
// environment. INVALID for anything else.
func ParseSolverName(name string) (EnvironmentKey, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(name), "solver-")
	parts := strings.Split(rest, "-")
	if !ok || len(parts) != 3 || !strings.HasPrefix(parts[2], "py") || len(parts[2]) < 4 {
		return EnvironmentKey{}, Errorf(CodeInvalid, "solver %q: want a name such as solver-rhel-8-py38", name)
	}
	py := parts[2][2:]
	env := EnvironmentKey{OSName: parts[0], OSVersion: parts[1], PythonVersion: py[:1] + "." + py[1:]}.Normalized()
	if err := ValidateEnvironment(env); err != nil {
		return EnvironmentKey{}, Errorf(CodeInvalid, "solver %q: %s", name, ErrorMessage(err))
	}
	return env, nil
}

// RefreshOptions say what a refresh asks for.
type RefreshOptions struct {
	// Environments are the solvers' environments; nil: every one known.
	Environments []EnvironmentKey
	// Count is the most requests per solver (and per other kind).
	Count int
	// Cooldown: a request made less than this ago is not made again,
	// unless a document of its solver failed since.
	Cooldown time.Duration
	// Kinds limit the kinds of requests; nil: all three.
	Kinds []string
	// Now is the time the requests are recorded at.
	Now time.Time
}

// SolverRequests lists what to solve and analyse next, as Thoth's
// graph-refresh job did: per solver, versions of its environment's
// backlog (UnsolvedVersions), those of packages adviser runs could not
// resolve first, and the packages those runs name that the graph has no
// version of (package_version null); releases solved somewhere that no
// revsolver document has run for; solved versions with no security
// indicator (UnanalyzedSecurityVersions). At most Count of each kind per
// solver, spread across packages: the first version of every package
// before the second of any. Requests made within the cooldown are left out
// unless a document of their solver failed since. It records nothing (see
// RecordSolverRequests).
// Returns INVALID for a bad count or environment, UNAVAILABLE when the
// database is unreachable.
func (s *Store) SolverRequests(ctx context.Context, o RefreshOptions) ([]SolverRequest, error) {
	if o.Count <= 0 {
		return nil, Errorf(CodeInvalid, "count %d: want at least 1", o.Count)
	}
	want := func(kind string) bool {
		if o.Kinds == nil {
			return true
		}
		for _, k := range o.Kinds {
			if k == kind {
				return true
			}
		}
		return false
	}
	envs := o.Environments
	if envs == nil {
		rows, err := s.reader(ctx).Query(ctx, `SELECT os_name, os_version, python_version FROM environment ORDER BY 1, 2, 3`)
		if err != nil {
			return nil, s.mapError(ctx, err)
		}
		envs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (EnvironmentKey, error) {
			var e EnvironmentKey
			return e, r.Scan(&e.OSName, &e.OSVersion, &e.PythonVersion)
		})
		if err != nil {
			return nil, err
		}
	}
	cooldown := o.Now.Add(-o.Cooldown)
	var out []SolverRequest
	if want(RequestUnresolved) {
		for _, env := range envs {
			env = env.Normalized()
			if err := ValidateEnvironment(env); err != nil {
				return nil, err
			}
			reqs, err := s.unresolvedRequests(ctx, env, o.Count, cooldown)
			if err != nil {
				return nil, err
			}
			out = append(out, reqs...)
		}
	}
	if want(RequestUnrevsolved) {
		reqs, err := s.simpleRequests(ctx, RequestUnrevsolved, `
			SELECT pv.id, p.id, p.name, pv.version, NULL::text
			FROM package_version pv JOIN package p ON p.id = pv.package_id
			WHERE NOT pv.is_missing
			AND EXISTS (SELECT 1 FROM solved s WHERE s.version_id = pv.id AND NOT s.error)
			AND NOT EXISTS (SELECT 1 FROM revsolver_release r WHERE r.package_name = p.name AND r.version = pv.version)`,
			o.Count, cooldown)
		if err != nil {
			return nil, err
		}
		out = append(out, reqs...)
	}
	if want(RequestSIUnanalyzed) {
		reqs, err := s.simpleRequests(ctx, RequestSIUnanalyzed, `
			SELECT pv.id, p.id, p.name, pv.version, ix.url
			FROM package_version pv JOIN package p ON p.id = pv.package_id
			JOIN package_index ix ON ix.id = pv.index_id
			WHERE pv.provides_source_distro AND NOT pv.is_missing
			AND EXISTS (SELECT 1 FROM solved s WHERE s.version_id = pv.id AND NOT s.error)
			AND NOT EXISTS (SELECT 1 FROM security_indicator si WHERE si.version_id = pv.id)`,
			o.Count, cooldown)
		if err != nil {
			return nil, err
		}
		out = append(out, reqs...)
	}
	return out, nil
}

// spread orders candidates (id, package_id, name, version, url) so that
// every package's first version comes before any package's second, the
// packages adviser runs wait for first when prior is set, and leaves out
// those requested since $2 (kind $1, solver $3).
const spread = `
	SELECT c.name, c.version, c.url FROM (
		SELECT c.*, row_number() OVER (PARTITION BY c.package_id ORDER BY c.id) AS nth
		FROM candidates c
		WHERE NOT EXISTS (
			SELECT 1 FROM solver_request r
			WHERE r.kind = $1 AND r.solver = $3 AND r.package_name = c.name AND r.package_version = c.version
			  AND r.index_url = coalesce(c.url, '') AND r.requested_at > $2
			  AND NOT EXISTS (SELECT 1 FROM document d WHERE d.kind = 'solver' AND d.status = 'FAILED'
				AND d.id LIKE $3 || '-%' AND d.updated_at > r.requested_at))
	) c
	ORDER BY c.prior DESC, c.nth, c.name, c.id
	LIMIT $4`

func (s *Store) simpleRequests(ctx context.Context, kind, candidates string, count int, since time.Time) ([]SolverRequest, error) {
	rows, err := s.reader(ctx).Query(ctx, `WITH candidates AS (SELECT t.*, false AS prior FROM (`+candidates+`) AS t(id, package_id, name, version, url))`+spread,
		kind, since, "", count)
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	return collectRequests(rows, kind, "")
}

// unresolvedRequests are one solver's: its backlog, packages adviser runs
// wait for first, then those runs' packages the graph has no version of.
func (s *Store) unresolvedRequests(ctx context.Context, env EnvironmentKey, count int, since time.Time) ([]SolverRequest, error) {
	solver := SolverName(env)
	rows, err := s.reader(ctx).Query(ctx, `
		WITH waited AS (SELECT DISTINCT u.package_name FROM adviser_unresolved u JOIN adviser_run r ON r.document_id = u.document_id
				WHERE NOT EXISTS (SELECT 1 FROM adviser_run rr WHERE rr.re_run_of = r.document_id AND rr.has_report
					AND NOT EXISTS (SELECT 1 FROM adviser_unresolved ru WHERE ru.document_id = rr.document_id))),
			candidates AS (
				SELECT pv.id, p.id AS package_id, p.name, pv.version, ix.url, p.name IN (SELECT package_name FROM waited) AS prior
				FROM package_version pv
				JOIN package p ON p.id = pv.package_id
				JOIN package_index ix ON ix.id = pv.index_id AND ix.enabled
				WHERE NOT pv.is_missing
				AND NOT EXISTS (SELECT 1 FROM rule_match rm WHERE rm.version_id = pv.id)
				AND NOT EXISTS (
					SELECT 1 FROM solved s WHERE s.version_id = pv.id AND s.environment_id = (
						SELECT id FROM environment WHERE os_name = $5 AND os_version = $6 AND python_version = $7)))`+spread,
		RequestUnresolved, since, solver, count, env.OSName, env.OSVersion, env.PythonVersion)
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	out, err := collectRequests(rows, RequestUnresolved, solver)
	if err != nil || len(out) >= count {
		return out, err
	}
	// Packages adviser runs wait for that the graph has no version of:
	// the solver resolves them itself.
	rows, err = s.reader(ctx).Query(ctx, `
		SELECT DISTINCT u.package_name, NULL::text, NULL::text
		FROM adviser_unresolved u
		WHERE NOT EXISTS (SELECT 1 FROM package p JOIN package_version pv ON pv.package_id = p.id WHERE p.name = u.package_name)
		AND NOT EXISTS (SELECT 1 FROM solver_request r WHERE r.kind = $1 AND r.solver = $2 AND r.package_name = u.package_name
			AND r.package_version = '' AND r.requested_at > $3)
		ORDER BY 1 LIMIT $4`, RequestUnresolved, solver, since, count-len(out))
	if err != nil {
		return nil, s.mapError(ctx, err)
	}
	more, err := collectRequests(rows, RequestUnresolved, solver)
	return append(out, more...), err
}

func collectRequests(rows pgx.Rows, kind, solver string) ([]SolverRequest, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SolverRequest, error) {
		req := SolverRequest{Kind: kind, Solver: solver}
		err := r.Scan(&req.PackageName, &req.PackageVersion, &req.IndexURL)
		if req.PackageVersion != nil {
			v := *req.PackageVersion
			if n, ok := python.NormalizeVersion(v); ok {
				v = n
			}
			req.PackageVersion = &v
		}
		return req, err
	})
}

// RecordSolverRequests records that reqs were made at now, so that a
// refresh within the cooldown leaves them out.
// Returns UNAVAILABLE when the database is unreachable.
func (s *Store) RecordSolverRequests(ctx context.Context, reqs []SolverRequest, now time.Time) error {
	if len(reqs) == 0 {
		return nil
	}
	n := len(reqs)
	kinds, solvers, names, versions, urls := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, r := range reqs {
		kinds[i], solvers[i], names[i] = r.Kind, r.Solver, r.PackageName
		if r.PackageVersion != nil {
			versions[i] = *r.PackageVersion
		}
		if r.IndexURL != nil {
			urls[i] = *r.IndexURL
		}
	}
	return s.WithTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO solver_request (kind, solver, package_name, package_version, index_url, requested_at)
			SELECT DISTINCT ON (k, s, n, v, u) k, s, n, v, u, $6
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(k, s, n, v, u)
			ORDER BY k, s, n, v, u
			ON CONFLICT (kind, solver, package_name, package_version, index_url) DO UPDATE SET requested_at = excluded.requested_at`,
			kinds, solvers, names, versions, urls, now)
		if err != nil {
			return fmt.Errorf("record %d requests: %w", n, err)
		}
		return nil
	})
}
