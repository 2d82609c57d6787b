package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestConfigHardeningSettings(t *testing.T) {
	c, err := LoadConfig(lookupMap(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxQueryDepth != 15 || c.MaxQueryBytes != 65536 || c.DBAcquireTimeout != 5*time.Second || !c.Introspection || c.RequireAuth {
		t.Errorf("defaults: depth %d, query bytes %d, acquire %s, introspection %v, require auth %v",
			c.MaxQueryDepth, c.MaxQueryBytes, c.DBAcquireTimeout, c.Introspection, c.RequireAuth)
	}
	c, err = LoadConfig(lookupMap(map[string]string{
		"SESHAT_MAX_QUERY_DEPTH": "7", "SESHAT_MAX_QUERY_BYTES": "4096", "SESHAT_DB_ACQUIRE_TIMEOUT": "250ms",
	}))
	if err != nil || c.MaxQueryDepth != 7 || c.MaxQueryBytes != 4096 || c.DBAcquireTimeout != 250*time.Millisecond {
		t.Errorf("set: %+v %v", c, err)
	}
	_, err = LoadConfig(lookupMap(map[string]string{
		"SESHAT_MAX_QUERY_DEPTH": "0", "SESHAT_MAX_QUERY_BYTES": "big", "SESHAT_DB_ACQUIRE_TIMEOUT": "-1s",
	}))
	for _, name := range []string{"SESHAT_MAX_QUERY_DEPTH", "SESHAT_MAX_QUERY_BYTES", "SESHAT_DB_ACQUIRE_TIMEOUT"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("invalid %s not reported: %v", name, err)
		}
	}
	var out bytes.Buffer
	Run(context.Background(), []string{"--help"}, lookupMap(map[string]string{}), &out, &out)
	for _, name := range []string{"SESHAT_MAX_QUERY_DEPTH", "SESHAT_MAX_QUERY_BYTES", "SESHAT_DB_ACQUIRE_TIMEOUT"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("--help does not list %s", name)
		}
	}
}
