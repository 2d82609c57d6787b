package cli

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4/database"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // the driver seshat migrate uses

	"github.com/seshat-graph/seshat/internal/testenv"
)

// TestReadyDuringMigration holds golang-migrate's migration lock on the
// gateway's database, as a running `seshat migrate` does, and asks /readyz:
// it must answer (ready) within the probe's deadline instead of waiting for
// the lock.
func TestReadyDuringMigration(t *testing.T) {
	t.Parallel()
	dbURL := testenv.MigratedDatabase(t)
	s := startServe(t, map[string]string{"SESHAT_DATABASE_URL": dbURL})

	drv, err := database.Open(strings.Replace(dbURL, "postgres://", "pgx5://", 1))
	if err != nil {
		t.Fatalf("open the migration driver: %v", err)
	}
	t.Cleanup(func() { drv.Close() })
	if err := drv.Lock(); err != nil {
		t.Fatalf("take the migration lock: %v", err)
	}
	t.Cleanup(func() { _ = drv.Unlock() })

	// A generous client deadline: the point is that the probe answers at
	// all while the lock is held, not how fast.
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Get(s.base + "/readyz")
	if err != nil {
		t.Fatalf("/readyz while a migration holds the lock: %v", err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || body["status"] != "ready" {
		t.Errorf("/readyz = %d %v", resp.StatusCode, body)
	}
}
