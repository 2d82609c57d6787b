package cli

import (
	"strings"
	"testing"
)

// TestGraphCacheSetting: SESHAT_GRAPH_CACHE_MB is the graph cache's bound
// in MiB, 256 by default, 0 for none; anything else is refused by name.
func TestGraphCacheSetting(t *testing.T) {
	for _, c := range []struct {
		value string
		want  int64
		bad   bool
	}{
		{"", 256 << 20, false},
		{"0", 0, false},
		{"1", 1 << 20, false},
		{"4096", 4096 << 20, false},
		{"-1", 0, true},
		{"lots", 0, true},
		{"2000000", 0, true},
	} {
		env := map[string]string{}
		if c.value != "" {
			env["SESHAT_GRAPH_CACHE_MB"] = c.value
		}
		cfg, err := LoadConfig(lookupMap(env))
		if c.bad {
			if err == nil || !strings.Contains(err.Error(), "SESHAT_GRAPH_CACHE_MB") {
				t.Errorf("%q: error %v, want one naming SESHAT_GRAPH_CACHE_MB", c.value, err)
			}
			continue
		}
		if err != nil || cfg.GraphCacheBytes != c.want {
			t.Errorf("%q: %d bytes, %v; want %d", c.value, cfg.GraphCacheBytes, err, c.want)
		}
	}
}
