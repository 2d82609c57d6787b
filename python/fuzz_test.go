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
