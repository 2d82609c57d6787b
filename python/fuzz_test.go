package python

import (
	"errors"
	"strings"
	"testing"
)

// The fuzzers' seeds are in testdata/fuzz/<name>; `make fuzz` runs each for
// FUZZTIME.

// FuzzNormalizeName checks that names are normalised as Python's
// re.sub(r"[-_.]+", "-", name).lower() does, that normalising names and
// environments is idempotent, and that Validate agrees with the normalised
// fields. (ingest/solver's FuzzValidName checks that name validation agrees
// with normalisation.)
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"PySocks", " path.py ", "a-._b", "--", "", "ruamel_yaml", "Ünïcode_Name", "a..B__c--D", "\u212a", "Django_REST.framework", "ß", " 0", " "} {
		f.Add(s, "UBI", "8.2", "3.8.5")
	}
	f.Add("x", "rhel", "", "38")
	f.Add("x", "fedora", "31", "3")
	f.Fuzz(func(t *testing.T, name, osName, osVersion, python string) {
		n := NormalizeName(name)
		if NormalizeName(n) != n {
			t.Fatalf("NormalizeName not idempotent on %q: %q -> %q", name, n, NormalizeName(n))
		}
		if want := refNormalize(name); n != want {
			t.Fatalf("NormalizeName(%q) = %q, re.sub(r\"[-_.]+\", \"-\", name).lower() gives %q", name, n, want)
		}
		if strings.ContainsAny(n, "_.") || strings.Contains(n, "--") {
			t.Fatalf("NormalizeName(%q) = %q keeps separators", name, n)
		}

		e := Environment{OSName: osName, OSVersion: osVersion, PythonVersion: python}
		k := e.Normalized()
		if k.Normalized() != k {
			t.Fatalf("Environment.Normalized not idempotent: %+v -> %+v", k, k.Normalized())
		}
		complete := k.OSName != "" && k.OSVersion != "" && k.PythonVersion != ""
		if err := e.Validate(); complete != (err == nil) || err != nil && !errors.Is(err, ErrIncompleteEnvironment) {
			t.Fatalf("%+v (normalised %+v).Validate() = %v", e, k, err)
		}
	})
}

// FuzzParseRequirement checks that PEP 508 parsing never panics, that an
// error is a *SyntaxError inside the input, and that a parsed requirement
// written back (String) parses to the same name, extras, specifier and
// marker, whose evaluation is unchanged.
func FuzzParseRequirement(f *testing.F) {
	for _, s := range []string{"numpy", "flask>=2,<3", "requests[socks, security]>=2.25",
		"zope.interface (>=5.0)", "dask[array] ; python_version >= '3.7'", "x; (os_name == 'nt' or sys_platform != \"linux\") and extra == 'a'",
		"pkg @ https://example.com/p.whl", "a[", "flask 2.0", "b; 'x' not in platform_release", "c~=1.4.2rc1; python_full_version < '3.8.1'"} {
		f.Add(s)
	}
	values := MarkerValuesOf(Environment{OSName: "rhel", OSVersion: "8", PythonVersion: "3.8"})
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequirement(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("ParseRequirement(%q): %v, want a *SyntaxError within the input", s, err)
			}
			return
		}
		again, err := ParseRequirement(r.String())
		if err != nil {
			t.Fatalf("ParseRequirement(%q).String() = %q does not parse: %v", s, r.String(), err)
		}
		if again.Name != r.Name || strings.Join(again.Extras, ",") != strings.Join(r.Extras, ",") ||
			again.Specifier.String() != r.Specifier.String() || (again.Marker == nil) != (r.Marker == nil) {
			t.Fatalf("%q -> %q -> %+v, want %+v", s, r.String(), again, r)
		}
		if r.Marker != nil && r.Marker.Evaluate(values) != again.Marker.Evaluate(values) {
			t.Fatalf("%q: the marker evaluates differently after String()", s)
		}
	})
}
