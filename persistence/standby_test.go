package persistence_test

import (
	"testing"

	"github.com/seshat-graph/seshat/persistence"
)

// TestParseLSN: WAL positions as PostgreSQL writes them round-trip and
// order as numbers; anything else is INVALID. (The hot standby's routing
// is tested against the real standby: internal/cli TestServeHotStandby.)
func TestParseLSN(t *testing.T) {
	for _, s := range []string{"0/0", "0/16B3748", "16/B374D848", "FFFFFFFF/FFFFFFFF"} {
		l, err := persistence.ParseLSN(s)
		if err != nil || l.String() != s {
			t.Errorf("ParseLSN(%q) = %v (%s), %v", s, uint64(l), l, err)
		}
	}
	a, _ := persistence.ParseLSN("0/FFFFFFFF")
	b, _ := persistence.ParseLSN("1/0")
	if a >= b {
		t.Errorf("0/FFFFFFFF >= 1/0")
	}
	for _, s := range []string{"", "primary", "16B3748", "1/2/3", "G/0", "100000000/0", "-1/0"} {
		if _, err := persistence.ParseLSN(s); persistence.ErrorCode(err) != persistence.CodeInvalid {
			t.Errorf("ParseLSN(%q): %v, want INVALID", s, err)
		}
	}
}
