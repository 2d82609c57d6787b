package python

import (
	"strings"
	"testing"
)

// VersionNormalForms are spellings and their PEP 440 normal forms, as
// packaging's str(Version(s)) writes them ("" where packaging refuses the
// string).
var VersionNormalForms = []struct{ In, Want string }{
	{"2.0.0rc1", "2.0.0rc1"}, {"2.0.0-rc1", "2.0.0rc1"}, {"2.0.0.RC1", "2.0.0rc1"}, {"2.0.0_rc_1", "2.0.0rc1"},
	{"1.0", "1.0"}, {"1.0.0", "1.0.0"}, {"0", "0"}, {"0.1", "0.1"}, {"01.02", "1.2"}, {"1.00", "1.0"}, {"10.0", "10.0"},
	{"v1.0", "1.0"}, {"V1", "1"}, {" 1.0 ", "1.0"}, {"1!1.0", "1!1.0"}, {"0!1.0", "1.0"}, {"007!1", "7!1"},
	{"1.0a1", "1.0a1"}, {"1.0-alpha1", "1.0a1"}, {"1.0.a1", "1.0a1"}, {"1.0alpha", "1.0a0"}, {"1.0b2", "1.0b2"},
	{"1.0_beta_2", "1.0b2"}, {"1.0c1", "1.0rc1"}, {"1.0pre2", "1.0rc2"}, {"1.0preview", "1.0rc0"}, {"1.0.rc.1", "1.0rc1"},
	{"1.0.post1", "1.0.post1"}, {"1.0-1", "1.0.post1"}, {"1.0post", "1.0.post0"}, {"1.0r2", "1.0.post2"}, {"1.0-rev3", "1.0.post3"},
	{"1.0.dev", "1.0.dev0"}, {"1.0-dev-2", "1.0.dev2"}, {"1.0.DEV3", "1.0.dev3"}, {"1.0a1.post2.dev3", "1.0a1.post2.dev3"},
	{"1.0+local", "1.0+local"}, {"1.0+Ubuntu-1", "1.0+ubuntu.1"}, {"1.0+abc.007", "1.0+abc.7"}, {"1.0+a_b-c.d", "1.0+a.b.c.d"},
	{"1.0-foo", ""}, {"", ""}, {"not a version", ""}, {"1.0+", ""}, {"1..0", ""}, {".1", ""}, {"1.", ""},
}

func TestNormalizeVersion(t *testing.T) {
	for _, c := range VersionNormalForms {
		got, ok := NormalizeVersion(c.In)
		switch {
		case c.Want == "" && (ok || got != strings.TrimSpace(c.In)):
			t.Errorf("NormalizeVersion(%q) = %q, %v; want it refused and returned trimmed", c.In, got, ok)
		case c.Want != "" && (!ok || got != c.Want):
			t.Errorf("NormalizeVersion(%q) = %q, %v; want %q", c.In, got, ok, c.Want)
		}
		if !ok {
			continue
		}
		// The normal form is a fixed point and compares equal to the spelling
		// (ParseVersion compares local labels as written, so not those).
		if again, ok := NormalizeVersion(got); !ok || again != got {
			t.Errorf("NormalizeVersion(%q) = %q, %v; want it unchanged", got, again, ok)
		}
		a, errA := ParseVersion(c.In)
		b, errB := ParseVersion(got)
		if errA == nil && errB == nil && !strings.Contains(got, "+") && a.Compare(b) != 0 {
			t.Errorf("%q and its normal form %q compare %d", c.In, got, a.Compare(b))
		}
	}
}

// IndexURLForms are index URLs and the form the graph keeps them in.
var IndexURLForms = []struct{ In, Want string }{
	{"https://pypi.org/simple", "https://pypi.org/simple"},
	{"https://pypi.org/simple/", "https://pypi.org/simple"},
	{"https://pypi.python.org/simple", "https://pypi.org/simple"},
	{"https://pypi.python.org/simple/", "https://pypi.org/simple"},
	{"http://pypi.python.org/simple", "https://pypi.org/simple"},
	{"HTTPS://PyPI.org/simple//", "https://pypi.org/simple"},
	{" https://mirror.example.com/simple/ ", "https://mirror.example.com/simple"},
	{"https://Mirror.Example.com/Index/Simple/", "https://mirror.example.com/Index/Simple"},
	{"https://pypi.org/pypi", "https://pypi.org/pypi"},
	{"https://tensorflow.pypi.thoth-station.ninja/index/manylinux2010/AVX2/simple", "https://tensorflow.pypi.thoth-station.ninja/index/manylinux2010/AVX2/simple"},
}

func TestNormalizeIndexURL(t *testing.T) {
	for _, c := range IndexURLForms {
		if got := NormalizeIndexURL(c.In); got != c.Want {
			t.Errorf("NormalizeIndexURL(%q) = %q, want %q", c.In, got, c.Want)
		}
		if got := NormalizeIndexURL(c.Want); got != c.Want {
			t.Errorf("NormalizeIndexURL(%q) = %q, want it unchanged", c.Want, got)
		}
	}
}
