package python

import "testing"

func TestParseVersion(t *testing.T) {
	for _, tt := range []struct {
		in, norm string // norm "" when PEP 440 cannot parse in
		pre      bool
	}{
		{"1.0", "1.0", false},
		{"2.6.0", "2.6.0", false},
		{"1.0-alpha1", "1.0a1", true},
		{"1.0rc1", "1.0rc1", true},
		{"1.0c1", "1.0rc1", true},
		{"1.0.dev3", "1.0.dev3", true},
		{"1.0.post1", "1.0.post1", false},
		{"1.0-1", "1.0.post1", false},
		{"v1.0", "1.0", false},
		{" 1.0 ", "1.0", false},
		{"1!0.1", "1!0.1", false},
		{"1.0+Local.7", "1.0+local.7", false},
		{"01.0", "1.0", false},
		{"not a version", "", false},
		{"", "", false},
		{"1.0.", "", false},
	} {
		v, err := ParseVersion(tt.in)
		if tt.norm == "" {
			if err == nil {
				t.Errorf("ParseVersion(%q) = %q, want an error", tt.in, v)
			}
			continue
		}
		if err != nil || v.String() != tt.norm || v.IsPreRelease() != tt.pre {
			t.Errorf("ParseVersion(%q) = %q (pre-release %v), %v; want %q (pre-release %v)", tt.in, v, v.IsPreRelease(), err, tt.norm, tt.pre)
		}
	}
}

func TestVersionCompare(t *testing.T) {
	// Each row is in ascending PEP 440 order.
	for _, row := range [][]string{
		{"1.9", "1.10", "2.0rc1", "2.0"},
		{"1.0.dev1", "1.0a1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0.post1", "1.1"},
		{"1.0", "1.0+local.7"},
		{"2.0", "1!0.1"},
	} {
		vs := make([]Version, len(row))
		for i, s := range row {
			var err error
			if vs[i], err = ParseVersion(s); err != nil {
				t.Fatalf("ParseVersion(%q): %v", s, err)
			}
		}
		for i := range vs {
			for j := range vs {
				want := 0
				if i < j {
					want = -1
				} else if i > j {
					want = 1
				}
				if got := vs[i].Compare(vs[j]); got != want {
					t.Errorf("Compare(%q, %q) = %d, want %d", row[i], row[j], got, want)
				}
			}
		}
	}
	for _, eq := range [][2]string{{"1.0", "1.0.0"}, {"01.0", "1.0"}, {"1.0c1", "1.0rc1"}, {"1.0-alpha1", "1.0a1"}} {
		a, _ := ParseVersion(eq[0])
		b, _ := ParseVersion(eq[1])
		if a.Compare(b) != 0 || b.Compare(a) != 0 {
			t.Errorf("Compare(%q, %q) = %d, want 0", eq[0], eq[1], a.Compare(b))
		}
	}
}
