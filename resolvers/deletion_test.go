package resolvers_test

import (
	"testing"
)

// TestDeletionMutations: deleteDocument and purgeEnvironment through the
// real handler: refused without a token and with the ingest scope, and with
// the admin scope they remove the document and its facts (the version stays
// known) and every solver fact of the environment.
func TestDeletionMutations(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const del = `mutation($id: String!) { deleteDocument(id: $id) { documents rows } }`
	vars := map[string]any{"id": "solver-fixtures"}
	if errs := h.do(t, "", del, vars, nil); len(errs) != 1 || errs[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Errorf("without a token: %+v", errs)
	}
	if errs := h.do(t, ingestSecret, del, vars, nil); len(errs) != 1 || errs[0].Extensions["code"] != "FORBIDDEN" {
		t.Errorf("with the ingest scope: %+v", errs)
	}
	const solved = `{ packageVersion(name: "pep-order", version: "1.9") { solved { documentId } } document(id: "solver-fixtures") { id } }`
	var before struct {
		PackageVersion struct{ Solved []struct{ DocumentID string } }
		Document       *struct{ ID string }
	}
	h.query(t, solved, nil, &before)
	if len(before.PackageVersion.Solved) != 1 || before.Document == nil {
		t.Fatalf("before: %+v", before)
	}
	var out struct {
		DeleteDocument struct {
			Documents []string
			Rows      map[string]int
		}
	}
	if errs := h.do(t, adminSecret, del, vars, &out); len(errs) > 0 {
		t.Fatalf("delete: %+v", errs)
	}
	if len(out.DeleteDocument.Documents) != 1 || out.DeleteDocument.Rows["solved"] != 9 {
		t.Errorf("delete: %+v; want the document and its 9 solved rows", out.DeleteDocument)
	}
	var after struct {
		PackageVersion *struct{ Solved []struct{ DocumentID string } }
		Document       *struct{ ID string }
	}
	h.query(t, solved, nil, &after)
	if after.PackageVersion == nil || len(after.PackageVersion.Solved) != 0 || after.Document != nil {
		t.Errorf("after: %+v; want the version known, unsolved, and no document", after)
	}

	const backlogQuery = `query($env: EnvironmentInput!) { unsolvedPackageVersions(environment: $env) { totalCount } }`
	type backlog struct{ UnsolvedPackageVersions struct{ TotalCount int } }
	var b0, b1 backlog
	h.query(t, backlogQuery, map[string]any{"env": envVar(envs[1])}, &b0)
	const purge = `mutation($env: EnvironmentInput!) { purgeEnvironment(environment: $env) { documents rows } }`
	var p struct {
		PurgeEnvironment struct {
			Documents []string
			Rows      map[string]int
		}
	}
	if errs := h.do(t, adminSecret, purge, map[string]any{"env": envVar(envs[1])}, &p); len(errs) > 0 {
		t.Fatalf("purge: %+v", errs)
	}
	if len(p.PurgeEnvironment.Documents) == 0 || p.PurgeEnvironment.Rows["solved"] == 0 {
		t.Errorf("purge: %+v", p.PurgeEnvironment)
	}
	// Every version solved there before is back in the environment's backlog.
	h.query(t, backlogQuery, map[string]any{"env": envVar(envs[1])}, &b1)
	if b1.UnsolvedPackageVersions.TotalCount != b0.UnsolvedPackageVersions.TotalCount+p.PurgeEnvironment.Rows["solved"] {
		t.Errorf("backlog %d after the purge of %d solved rows, was %d", b1.UnsolvedPackageVersions.TotalCount,
			p.PurgeEnvironment.Rows["solved"], b0.UnsolvedPackageVersions.TotalCount)
	}
}
