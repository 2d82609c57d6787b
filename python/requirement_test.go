package python

import (
	"errors"
	"slices"
	"testing"
)

func TestParseRequirement(t *testing.T) {
	for _, tc := range []struct {
		in, name, spec, marker string
		extras                 []string
	}{
		{in: "numpy", name: "numpy"},
		{in: "flask>=2,<3", name: "flask", spec: ">=2,<3"},
		{in: "Requests[Socks, security]>=2.25", name: "requests", spec: ">=2.25", extras: []string{"security", "socks"}},
		{in: "zope.interface (>=5.0)", name: "zope-interface", spec: ">=5.0"},
		{in: "dask[array] ; python_version >= '3.7'", name: "dask", extras: []string{"array"}, marker: "python_version >= '3.7'"},
		{in: "  six==1.16.0  ", name: "six", spec: "==1.16.0"},
		{in: "pip_tools~=6.0", name: "pip-tools", spec: "~=6.0"},
	} {
		r, err := ParseRequirement(tc.in)
		if err != nil {
			t.Fatalf("ParseRequirement(%q): %v", tc.in, err)
		}
		if r.Name != tc.name || r.Specifier.String() != tc.spec || r.MarkerText != tc.marker ||
			!slices.Equal(r.Extras, tc.extras) {
			t.Errorf("ParseRequirement(%q) = %q %v %q %q", tc.in, r.Name, r.Extras, r.Specifier.String(), r.MarkerText)
		}
	}
}

func TestParseRequirementErrors(t *testing.T) {
	for _, tc := range []struct {
		in  string
		pos int
	}{
		{"", 0},
		{">=1.0", 0},
		{"flask 2.0", 6},
		{"flask>=two", 5},
		{"requests[socks", 14},
		{"requests[]x", 10},
		{"pkg @ https://example.com/pkg.whl", 4},
		{"flask; python_version >", 23},
		{"flask; nonsense == '1'", 7},
		{"flask; python_version == '3.8' and", 34},
		{"flask; (python_version == '3.8'", 31},
		{"flask; 'a' == 'b'", 11},
		{"flask (>=1.0", 6},
	} {
		_, err := ParseRequirement(tc.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseRequirement(%q) = %v, want a *SyntaxError", tc.in, err)
			continue
		}
		if se.Pos != tc.pos {
			t.Errorf("ParseRequirement(%q): position %d, want %d (%v)", tc.in, se.Pos, tc.pos, err)
		}
	}
}

func TestMarkerEvaluate(t *testing.T) {
	values := MarkerValuesOf(Environment{OSName: "fedora", OSVersion: "31", PythonVersion: "3.7"})
	for _, tc := range []struct {
		marker string
		want   bool
	}{
		{"python_version >= '3.7'", true},
		{"python_version < '3.7'", false},
		{"python_version > '3.10'", false},
		{"python_full_version >= '3.7.0'", true},
		{"sys_platform == 'win32'", false},
		{"sys_platform == 'linux' and platform_machine == 'x86_64'", true},
		{"os_name == 'nt' or python_version == '3.7'", true},
		{"(os_name == 'nt' or python_version == '3.6') and sys_platform == 'linux'", false},
		{"'linux' in sys_platform", true},
		{"platform_system not in 'Windows Darwin'", true},
		{"extra == 'socks'", false},
		{"implementation_name == \"cpython\"", true},
		{"python_version ~= '3.6'", true},
	} {
		m, err := ParseMarker(tc.marker)
		if err != nil {
			t.Fatalf("ParseMarker(%q): %v", tc.marker, err)
		}
		if got := m.Evaluate(values); got != tc.want {
			t.Errorf("%q = %v, want %v", tc.marker, got, tc.want)
		}
	}
}
