package persistence

import (
	"strconv"
	"testing"
	"unicode/utf8"
)

// These fuzzers need no database. Seeds: testdata/fuzz/<name>; `make fuzz`
// runs each for FUZZTIME.

// FuzzVersionOrder checks that the PEP 440 order used for version pages is a
// strict total order (antisymmetric, transitive) whatever the strings, and
// that SortVersions agrees with it.
func FuzzVersionOrder(f *testing.F) {
	for _, s := range [][3]string{
		{"1.9", "1.10", "2.0rc1"}, {"2.0", "1.0.dev1", "0.9"}, {"1!0.1", "1.0.post1", "1.0+local.7"},
		{"not a version", "1.0", ""}, {"01.0", "1.0", "1.0.0"}, {"1.0a1", "1.0b1", "1.0c1"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		vs := []PackageVersion{{ID: 1, Version: a}, {ID: 2, Version: b}, {ID: 3, Version: c}}
		items := make([]sortItem, len(vs))
		for i, v := range vs {
			items[i] = newSortItem(v)
		}
		for i := range items {
			for j := range items {
				if x, y := items[i].compare(items[j]), items[j].compare(items[i]); sign(x) != -sign(y) || (i == j) != (x == 0) {
					t.Fatalf("compare(%q, %q) = %d but compare(%q, %q) = %d", vs[i].Version, vs[j].Version, x, vs[j].Version, vs[i].Version, y)
				}
				for k := range items {
					if items[i].compare(items[j]) < 0 && items[j].compare(items[k]) < 0 && items[i].compare(items[k]) >= 0 {
						t.Fatalf("order not transitive on %q < %q < %q", vs[i].Version, vs[j].Version, vs[k].Version)
					}
				}
			}
		}
		SortVersions(vs)
		for i := 1; i < len(vs); i++ {
			if newSortItem(vs[i-1]).compare(newSortItem(vs[i])) > 0 {
				t.Fatalf("SortVersions left %q before %q", vs[i-1].Version, vs[i].Version)
			}
		}
	})
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// FuzzCursor checks cursor decoding: a forged or foreign cursor is INVALID,
// never a panic or another code, and every cursor the store issues decodes
// back to its key and pages from the right place.
func FuzzCursor(f *testing.F) {
	f.Add(encodeCursor("version", "1.0", "7", "2"), "1.0", int64(7), "flask")
	f.Add(encodeCursor("dependent", "1", "flask", "7", "3"), "2.0rc1", int64(1), "Flask")
	f.Add(encodeCursor("package", "flask"), "", int64(-1), "")
	f.Add("eyJrIjoidmVyc2lvbiIsInYiOlsiMSIsIngiLCIiXX0", "1", int64(0), "a")
	f.Add("%%%", "x", int64(9), "b")
	f.Add("", "1", int64(1), "c")
	f.Fuzz(func(t *testing.T, s, version string, id int64, name string) {
		for kind, n := range map[string]int{"version": 3, "dependent": 4, "package": 1, "unsolved": 1} {
			key, err := decodeCursor(s, kind, n)
			if err != nil {
				if ErrorCode(err) != CodeInvalid {
					t.Fatalf("decodeCursor(%q, %s): code %s: %v", s, kind, ErrorCode(err), err)
				}
				continue
			}
			if s == "" && key != nil || s != "" && len(key) != n {
				t.Fatalf("decodeCursor(%q, %s) = %q", s, kind, key)
			}
		}
		vs := []PackageVersion{{ID: -1, Version: "2.0"}, {ID: -2, Version: version}, {ID: -3, Version: "0.1"}}
		SortVersions(vs)
		if _, err := PageVersions(vs, nil, Page{First: 2, After: s}); err != nil && ErrorCode(err) != CodeInvalid {
			t.Fatalf("PageVersions(after %q): code %s: %v", s, ErrorCode(err), err)
		}
		if _, err := dependentAfter(s); err != nil && ErrorCode(err) != CodeInvalid {
			t.Fatalf("dependentAfter(%q): code %s: %v", s, ErrorCode(err), err)
		}

		// Issued cursors round-trip and page strictly after their item. Keys
		// come from PostgreSQL text, which is always valid UTF-8.
		if !utf8.ValidString(version) || !utf8.ValidString(name) {
			return
		}
		if id <= 0 {
			id = -id + 1
		}
		v := PackageVersion{ID: id, Version: version}
		key, err := decodeCursor(versionCursor(v), "version", 3)
		if err != nil || key[0] != version || key[1] != strconv.FormatInt(id, 10) {
			t.Fatalf("version cursor of %+v decodes to %q, %v", v, key, err)
		}
		all := append([]PackageVersion{v}, vs...)
		SortVersions(all)
		for i, it := range all {
			c, err := PageVersions(all, nil, Page{First: len(all), After: versionCursor(it)})
			if err != nil {
				t.Fatalf("page after issued cursor: %v", err)
			}
			if len(c.Items) != len(all)-i-1 {
				t.Fatalf("page after item %d of %d has %d items", i, len(all), len(c.Items))
			}
		}
		d := Dependent{Depth: int(id % 50), Version: PackageVersion{ID: id, Name: name}, Environment: Environment{ID: id}}
		if after, err := dependentAfter(dependentCursor(d)); err != nil || after(d) {
			t.Fatalf("dependent cursor of %+v: err %v, or its item follows itself", d, err)
		}
		if key, err := decodeCursor(encodeCursor("package", name), "package", 1); err != nil || key[0] != name {
			t.Fatalf("package cursor of %q decodes to %q, %v", name, key, err)
		}
	})
}
