package ingest

import (
	"encoding/json"
	"testing"

	"github.com/seshat-graph/seshat/ingest/solver"
)

func TestIndexLacks(t *testing.T) {
	no, yes := false, true
	pip := func(msg string) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"message": "Command exited with non-zero status code (1): " + msg})
		return b
	}
	const index = "https://pypi.org/simple"
	for _, tt := range []struct {
		name string
		f    solver.Failure
		want bool
	}{
		{"listed without it", solver.Failure{Version: "3.09", IndexURL: index, Details: pip(
			"Could not find a version that satisfies the requirement pyyaml==3.09 (from versions: 3.10, 3.11, 3.13rc1)\nNo matching distribution found for pyyaml==3.09\n")}, true},
		{"listed with it (another failure)", solver.Failure{Version: "3.10", IndexURL: index, Details: pip("(from versions: 3.10, 3.11)")}, false},
		{"listed in another spelling", solver.Failure{Version: "3.10.0", IndexURL: index, Details: pip("(from versions: 3.10, 3.11)")}, false},
		{"empty list: maybe the network", solver.Failure{Version: "1.0", IndexURL: index, Details: pip("(from versions: none)")}, false},
		{"no list", solver.Failure{Version: "1.0", IndexURL: index, Details: pip("SyntaxError")}, false},
		{"no index", solver.Failure{Version: "3.09", Details: pip("(from versions: 3.10)")}, false},
		{"solver says the version is not provided", solver.Failure{Version: "1.0", IndexURL: index, IsProvidedPackageVersion: &no}, true},
		{"solver says the package is not provided", solver.Failure{Version: "1.0", IndexURL: index, IsProvidedPackage: &no}, true},
		{"solver says it is provided", solver.Failure{Version: "1.0", IndexURL: index, IsProvidedPackage: &yes, IsProvidedPackageVersion: &yes}, false},
		{"details not an object", solver.Failure{Version: "1.0", IndexURL: index, Details: json.RawMessage(`"x"`)}, false},
	} {
		if got := indexLacks(tt.f); got != tt.want {
			t.Errorf("%s: indexLacks = %v, want %v", tt.name, got, tt.want)
		}
	}
}
