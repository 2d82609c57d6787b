package persistence

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/seshat-graph/seshat/python"
)

// CandidateQuery asks for the candidate graph of a resolution: every
// version of the packages reachable from Roots, level by level, in
// Environment.
type CandidateQuery struct {
	Roots       []string // package names, normalised by the store
	Environment EnvironmentKey
	// IndexURLs are the allowed indexes; none means every enabled index.
	IndexURLs []string
	// ExcludeVulnerable leaves out versions an OSV record (not withdrawn) matches.
	ExcludeVulnerable bool
	// MaxLevels bounds the levels read (the distance from the roots).
	MaxLevels int
}

// CandidateGraph is what a resolution may choose from.
type CandidateGraph struct {
	// Environment is nil when the graph does not know it (then nothing
	// else is read).
	Environment *Environment
	// Candidates are the admissible versions by package name: solved in
	// the environment without error, on an allowed index, not missing,
	// with no rule (and not vulnerable when asked), with their
	// requirements, in order of index priority then version id.
	Candidates map[string][]Candidate
	// Unsolved are versions of the reached packages that would be
	// candidates but are not solved in the environment: the solvers' work.
	Unsolved []PackageVersion
	// Excluded counts versions left out per reason ("solver error",
	// "index", "missing", "rule", "vulnerable"), for explanations.
	Excluded map[string]map[string]int
	// Levels is the number of levels read; Statements the statements run.
	Levels, Statements int
	// Truncated says MaxLevels stopped the reading while names remained.
	Truncated bool
}

// Candidate is one admissible version and its requirements.
type Candidate struct {
	Version      PackageVersion
	Requirements []CandidateRequirement
}

// CandidateRequirement is one DEPENDS_ON edge of a candidate whose marker
// did not evaluate to false in the environment.
type CandidateRequirement struct {
	Name         string // the required package
	VersionRange string
	Marker       *string
	Extra        *string  // the requiring package's extra it applies under
	Extras       []string // extras asked of the target
}

// candidateLevelSQL reads every version of the packages $1 with, for those
// solved in environment $2 without error, their DEPENDS_ON edges whose
// marker did not evaluate to false, as parallel arrays: one row per
// version, one statement per level whatever the count.
const candidateLevelSQL = `
SELECT pv.id, pv.package_id, p.name, pv.version, pv.index_id, ix.url, pv.is_missing, pv.provides_source_distro,
	coalesce(ix.enabled, false), s.id IS NOT NULL, coalesce(s.error, false),
	EXISTS (SELECT 1 FROM rule_match m WHERE m.version_id = pv.id),
	EXISTS (SELECT 1 FROM vulnerability_affects a JOIN vulnerability v ON v.id = a.vulnerability_id
		WHERE a.version_id = pv.id AND v.withdrawn IS NULL),
	coalesce(e.names, '{}'), coalesce(e.ranges, '{}'), coalesce(e.markers, '{}'), coalesce(e.extra, '{}'),
	coalesce(e.extras, '{}')
FROM package p
JOIN package_version pv ON pv.package_id = p.id
LEFT JOIN package_index ix ON ix.id = pv.index_id
LEFT JOIN solved s ON s.version_id = pv.id AND s.environment_id = $2
LEFT JOIN LATERAL (
	SELECT array_agg(tp.name ORDER BY d.id) AS names, array_agg(d.version_range ORDER BY d.id) AS ranges,
		array_agg(d.marker ORDER BY d.id) AS markers, array_agg(d.extra ORDER BY d.id) AS extra,
		array_agg(array_to_string(d.extras, ',') ORDER BY d.id) AS extras
	FROM depends_on d
	JOIN package tp ON tp.id = d.package_id
	WHERE d.solved_id = s.id AND d.marker_evaluation_result IS NOT FALSE
) e ON s.id IS NOT NULL AND NOT s.error
WHERE p.name = ANY($1)
ORDER BY p.name, pv.id`

// CandidateGraph reads the candidate graph of q: the environment (one
// statement), then one statement per level over every package name the
// previous level's candidates require (extras and all), until no new name
// is left or MaxLevels levels were read. Statements: at most MaxLevels + 1,
// whatever the number of packages and versions.
//
// A query's resolution reads from the hot standby, as the walk does
// (reader). Returns INVALID for an invalid environment.
func (s *Store) CandidateGraph(ctx context.Context, q CandidateQuery) (*CandidateGraph, error) {
	env := q.Environment.Normalized()
	if err := ValidateEnvironment(env); err != nil {
		return nil, err
	}
	allowed := map[string]int{}
	for i, u := range q.IndexURLs {
		if n := python.NormalizeIndexURL(u); n != "" {
			if _, dup := allowed[n]; !dup {
				allowed[n] = i
			}
		}
	}
	conn, err := s.reader(ctx).Acquire(ctx)
	if err != nil {
		return nil, mapError(err)
	}
	defer conn.Release()
	g := &CandidateGraph{Candidates: map[string][]Candidate{}, Excluded: map[string]map[string]int{}}
	var envID int64
	err = conn.QueryRow(ctx, `SELECT id FROM environment WHERE os_name = $1 AND os_version = $2 AND python_version = $3`,
		env.OSName, env.OSVersion, env.PythonVersion).Scan(&envID)
	g.Statements++
	if err == pgx.ErrNoRows {
		return g, nil
	}
	if err != nil {
		return nil, mapError(err)
	}
	g.Environment = &Environment{ID: envID, Environment: env}
	seen := map[string]bool{}
	var frontier []string
	for _, n := range q.Roots {
		if n = python.NormalizeName(n); n != "" && !seen[n] {
			seen[n] = true
			frontier = append(frontier, n)
		}
	}
	for len(frontier) > 0 {
		if q.MaxLevels > 0 && g.Levels >= q.MaxLevels {
			g.Truncated = true
			break
		}
		slices.Sort(frontier)
		next, err := g.readLevel(ctx, conn, envID, frontier, allowed, q.ExcludeVulnerable, seen)
		if err != nil {
			return nil, mapError(err)
		}
		g.Levels++
		g.Statements++
		frontier = next
	}
	if len(allowed) > 0 {
		for name, list := range g.Candidates {
			slices.SortStableFunc(list, func(a, b Candidate) int {
				return allowed[python.NormalizeIndexURL(deref(a.Version.IndexURL))] - allowed[python.NormalizeIndexURL(deref(b.Version.IndexURL))]
			})
			g.Candidates[name] = list
		}
	}
	return g, nil
}

// readLevel runs candidateLevelSQL for the frontier and returns the names
// the new candidates require that no level has read yet.
func (g *CandidateGraph) readLevel(ctx context.Context, conn interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, envID int64, frontier []string, allowed map[string]int, excludeVulnerable bool, seen map[string]bool) ([]string, error) {
	rows, err := conn.Query(ctx, candidateLevelSQL, frontier, envID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var next []string
	for rows.Next() {
		var (
			v                             PackageVersion
			enabled, hasSolved, solverErr bool
			ruled, vulnerable             bool
			names, ranges, extrasOf       []string
			markers, extra                []*string
		)
		if err := rows.Scan(&v.ID, &v.PackageID, &v.Name, &v.Version, &v.IndexID, &v.IndexURL, &v.IsMissing,
			&v.ProvidesSourceDistro, &enabled, &hasSolved, &solverErr, &ruled, &vulnerable,
			&names, &ranges, &markers, &extra, &extrasOf); err != nil {
			return nil, err
		}
		reason := ""
		switch {
		case !indexAllowed(v.IndexURL, enabled, allowed):
			reason = "index"
		case v.IsMissing:
			reason = "missing"
		case ruled:
			reason = "rule"
		case excludeVulnerable && vulnerable:
			reason = "vulnerable"
		case !hasSolved:
			g.Unsolved = append(g.Unsolved, v)
			reason = "unsolved"
		case solverErr:
			reason = "solver error"
		}
		if reason != "" {
			if g.Excluded[v.Name] == nil {
				g.Excluded[v.Name] = map[string]int{}
			}
			g.Excluded[v.Name][reason]++
			continue
		}
		c := Candidate{Version: v, Requirements: make([]CandidateRequirement, len(names))}
		for i, n := range names {
			r := CandidateRequirement{Name: n, VersionRange: ranges[i], Marker: markers[i], Extra: extra[i]}
			if extrasOf[i] != "" {
				r.Extras = strings.Split(extrasOf[i], ",")
			}
			c.Requirements[i] = r
			if !seen[n] {
				seen[n] = true
				next = append(next, n)
			}
		}
		g.Candidates[v.Name] = append(g.Candidates[v.Name], c)
	}
	return next, rows.Err()
}

// indexAllowed: on one of the allowed indexes, or, when none is named, on
// an enabled one or an unknown one (a document that named no index).
func indexAllowed(url *string, enabled bool, allowed map[string]int) bool {
	if len(allowed) == 0 {
		return url == nil || enabled
	}
	if url == nil {
		return false
	}
	_, ok := allowed[python.NormalizeIndexURL(*url)]
	return ok
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
