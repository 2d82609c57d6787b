package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/internal/testenv"
	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// runCLI runs one seshat command in-process with the variables vars and
// returns its exit code, stdout and stderr.
func runCLI(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, lookupMap(vars), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// storeVars are the SESHAT_* variables naming the document store s3 (a
// bucket of testenv.Bucket) and its credentials; callers add the others.
func storeVars(s3 objectstore.Config) map[string]string {
	return map[string]string{
		"SESHAT_DOCUMENT_STORE": s3.URL,
		"SESHAT_S3_ENDPOINT":    s3.Endpoint,
		"SESHAT_S3_ACCESS_KEY":  s3.AccessKey,
		"SESHAT_S3_SECRET_KEY":  s3.SecretKey,
	}
}

// syncVars are the variables of put and sync over a migrated database and
// a bucket (prefix thoth) of t's own, and the database's URL.
func syncVars(t *testing.T) (map[string]string, string) {
	t.Helper()
	dbURL := testenv.MigratedDatabase(t)
	vars := storeVars(testenv.Bucket(t, "thoth"))
	vars["SESHAT_DATABASE_URL"] = dbURL
	return vars, dbURL
}

// summaryLine reports whether out has a summary line "<label>  <value>".
func summaryLine(out, label, value string) bool {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.TrimPrefix(line, label); f != line && strings.TrimSpace(f) == value {
			return true
		}
	}
	return false
}
