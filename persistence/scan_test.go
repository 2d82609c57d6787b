package persistence

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/seshat-graph/seshat/python"
)

// TestScanDestinations: the destinations collectScan fills name every
// db-tagged field of the type, in the order of the columns the statement
// selects, so a column added to versionColumns or dependencyColumns without
// its field here (or the other way round) fails.
func TestScanDestinations(t *testing.T) {
	for _, c := range []struct {
		name    string
		columns string
		obj     any
		dest    []any
	}{
		{"PackageVersion", versionColumns, &PackageVersion{}, nil},
		{"Dependency", dependencyColumns, &Dependency{}, nil},
	} {
		switch o := c.obj.(type) {
		case *PackageVersion:
			c.dest = versionDest(o)
		case *Dependency:
			c.dest = dependencyDest(o)
		}
		v := reflect.ValueOf(c.obj).Elem()
		var tags []string
		var addrs []uintptr
		for i := range v.NumField() {
			if tag := v.Type().Field(i).Tag.Get("db"); tag != "" && tag != "-" {
				tags = append(tags, tag)
				addrs = append(addrs, v.Field(i).Addr().Pointer())
			}
		}
		cols := columnNames(c.columns)
		if fmt.Sprint(cols) != fmt.Sprint(tags) {
			t.Errorf("%s: columns %v, db tags %v", c.name, cols, tags)
		}
		if len(c.dest) != len(addrs) {
			t.Fatalf("%s: %d destinations for %d fields", c.name, len(c.dest), len(addrs))
		}
		for i, d := range c.dest {
			if reflect.ValueOf(d).Pointer() != addrs[i] {
				t.Errorf("%s: destination %d is not field %s", c.name, i, tags[i])
			}
		}
	}
}

// columnNames are the result names of a select list: the alias after AS,
// else the column without its table.
func columnNames(list string) []string {
	var out []string
	for _, c := range strings.Split(list, ",") {
		c = strings.TrimSpace(c)
		if _, alias, ok := strings.Cut(c, " AS "); ok {
			c = alias
		} else if _, col, ok := strings.Cut(c, "."); ok {
			c = col
		}
		out = append(out, strings.TrimSpace(c))
	}
	return out
}

// TestPlainReleaseOrder: versions of digits and dots compare in
// SortVersions as the PEP 440 library compares them, and every other
// spelling is left to the library.
func TestPlainReleaseOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	plain := regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)
	gen := func() string {
		parts := make([]string, 1+r.IntN(4))
		for i := range parts {
			parts[i] = fmt.Sprint([]int{0, 1, 2, 9, 10, 11, 100}[r.IntN(7)])
			if r.IntN(8) == 0 {
				parts[i] = "0" + parts[i]
			}
		}
		s := strings.Join(parts, ".")
		switch r.IntN(10) {
		case 0:
			s += "rc1"
		case 1:
			s += ".post2"
		case 2:
			s = "1!" + s
		case 3:
			s += ".dev0"
		}
		return s
	}
	for range 5000 {
		a, b := gen(), gen()
		ra, rb := plainRelease(a), plainRelease(b)
		if (ra != nil) != plain.MatchString(a) {
			t.Fatalf("plainRelease(%q) = %v", a, ra)
		}
		if ra == nil || rb == nil {
			continue
		}
		pa, err1 := python.ParseVersion(a)
		pb, err2 := python.ParseVersion(b)
		if err1 != nil || err2 != nil {
			t.Fatalf("%q, %q: %v %v", a, b, err1, err2)
		}
		if got, want := compareRelease(ra, rb), pa.Compare(pb); got != want {
			t.Fatalf("%q against %q: %d, PEP 440 says %d", a, b, got, want)
		}
	}
	for _, s := range []string{"", ".", "1.", ".1", "1..2", "1a", "v1", "123456789012345678"} {
		if plainRelease(s) != nil {
			t.Errorf("plainRelease(%q) = %v, want nil", s, plainRelease(s))
		}
	}
}
