package python

import "testing"

func TestSpecifierMatches(t *testing.T) {
	for _, tt := range []struct {
		spec    string
		in, out []string
	}{
		{"", []string{"0", "1.0rc1", "1!2.0"}, nil},
		{"*", []string{"0", "1.0.dev1"}, nil},
		// Pre-releases are candidates: >= takes them in its range.
		{">=1.0", []string{"1.0", "1.0.0", "1.0.post1", "2.0rc1", "2.0.dev3", "1!0.5"}, []string{"0.9", "1.0rc1", "1.0.dev1"}},
		// <V leaves out V's own pre-releases unless V is one.
		{"<2.0", []string{"1.9", "1.9.9rc1", "1.10"}, []string{"2.0", "2.0rc1", "2.0a1", "2.0.dev0", "2.1"}},
		{"<2.0rc2", []string{"2.0rc1", "2.0.dev1", "1.0"}, []string{"2.0rc2", "2.0"}},
		{"<=2.0", []string{"2.0", "2.0rc1", "2.0+local.7", "1.0"}, []string{"2.0.post1", "2.0.1"}},
		// >V leaves out V's post-releases and local versions unless V is a post-release.
		{">1.0", []string{"1.0.1", "1.1rc1", "2.0"}, []string{"1.0", "1.0.post1", "1.0+local", "0.9"}},
		{">1.0.post1", []string{"1.0.post2", "1.1"}, []string{"1.0.post1", "1.0"}},
		{"==1.*", []string{"1", "1.0", "1.5rc1", "1.9.post3", "1.0.dev1", "1.2+local"}, []string{"2.0", "0.9", "1!1.0"}},
		{"==1.0.0.*", []string{"1.0", "1.0.0.5"}, []string{"1.0.1"}},
		{"==1.0", []string{"1.0", "1.0.0", "1.0+abc"}, []string{"1.0.post1", "1.0rc1", "1.0.1"}},
		{"==1.0+abc", []string{"1.0+abc"}, []string{"1.0", "1.0+abd"}},
		{"==2.0.0rc1", []string{"2.0.0rc1", "2.0rc1", "2.0.0-rc1", "2.0.0c1"}, []string{"2.0.0", "2.0.0rc2"}},
		{"!=1.3.*", []string{"1.4", "1.2.9", "2.0rc1"}, []string{"1.3", "1.3.4", "1.3.0rc1"}},
		{"!=1.5", []string{"1.4", "1.5.1"}, []string{"1.5", "1.5.0"}},
		{"~=2.2", []string{"2.2", "2.3", "2.9rc1", "2.2.post1"}, []string{"3.0", "2.1", "2.2rc1"}},
		{"~=1.4.5", []string{"1.4.5", "1.4.9", "1.4.10rc1"}, []string{"1.5", "1.4.4", "1.5.0"}},
		{"~=2.2.0rc1", []string{"2.2.0rc1", "2.2.0", "2.2.0.5"}, []string{"2.2.1", "2.1"}},
		{"===2.0.1", []string{"2.0.1", "2.0.1 "}, []string{"2.0.1.0", "2.0.2"}},
		{">=1.0, <2.0, !=1.5.*", []string{"1.0", "1.4.9", "1.6", "1.9rc1"}, []string{"1.5", "1.5.3", "2.0", "0.1", "2.0rc1"}},
		{">=1.0,,<2", []string{"1.5"}, []string{"2.5"}},
		{">=1!0.1", []string{"1!0.1", "1!2.0"}, []string{"5.0"}},
	} {
		s, err := ParseSpecifier(tt.spec)
		if err != nil {
			t.Errorf("ParseSpecifier(%q): %v", tt.spec, err)
			continue
		}
		for _, v := range tt.in {
			if !s.Matches(mustVersion(t, v)) {
				t.Errorf("%q does not match %s, want a match", tt.spec, v)
			}
		}
		for _, v := range tt.out {
			if s.Matches(mustVersion(t, v)) {
				t.Errorf("%q matches %s, want none", tt.spec, v)
			}
		}
	}
}

func TestParseSpecifierErrors(t *testing.T) {
	for _, s := range []string{">=", "foo", "1.0", "=>1.0", ">=1.0.*", "~=1", "~=1.0.*", "<1.0+local", "~=1.0+local",
		">=not a version", "==1.0a1.*", "==1.0.post1.*", ">=1.0, <", "=== a b", ">= 1.0 2.0"} {
		if sp, err := ParseSpecifier(s); err == nil {
			t.Errorf("ParseSpecifier(%q) = %q, want an error", s, sp)
		}
	}
}

func TestSpecifierString(t *testing.T) {
	for in, want := range map[string]string{"": "", "*": "", " >= 1.0 , < 2 ": ">=1.0,<2", "==1.*": "==1.*", "~=2.2,,!=2.5": "~=2.2,!=2.5",
		">= 2.0.0-RC1": ">=2.0.0rc1", "==01.*": "==1.*", "!=1.0-1": "!=1.0.post1", "===Foo-1.0": "===Foo-1.0", "==1.0+Ubuntu-1": "==1.0+ubuntu.1"} {
		s, err := ParseSpecifier(in)
		if err != nil {
			t.Fatalf("ParseSpecifier(%q): %v", in, err)
		}
		if got := s.String(); got != want {
			t.Errorf("ParseSpecifier(%q).String() = %q, want %q", in, got, want)
		}
	}
}

// FuzzSpecifier checks that ParseSpecifier never panics, that what it
// accepts parses again from its String to the same String and the same
// answers, and that a set matches a version exactly when each of its
// clauses does.
func FuzzSpecifier(f *testing.F) {
	for _, s := range []string{">=1.0,<2", "==1.*", "~=2.2.0rc1", "!=1.3.*, >1.0.post1", "===foo", "<=1!2.0+local", "", "*", ">=", "~=1"} {
		f.Add(s, "1.5rc1")
	}
	f.Add("==2.0.0-RC1", "2.0.0rc1")
	f.Fuzz(func(t *testing.T, spec, version string) {
		s, err := ParseSpecifier(spec)
		if err != nil {
			return
		}
		again, err := ParseSpecifier(s.String())
		if err != nil || again.String() != s.String() {
			t.Fatalf("ParseSpecifier(%q).String() = %q, which parses to %q, %v", spec, s.String(), again.String(), err)
		}
		v, err := ParseVersion(version)
		if err != nil {
			return
		}
		all := true
		for _, c := range s.clauses {
			all = all && Specifier{clauses: []clause{c}}.Matches(v)
		}
		if s.Matches(v) != all || again.Matches(v) != all {
			t.Fatalf("%q on %q: set %v, clauses %v, re-parsed %v", spec, version, s.Matches(v), all, again.Matches(v))
		}
	})
}

func TestSpecifierNamesPreRelease(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want bool
	}{
		{"", false},
		{">=1.0", false},
		{">=2.0rc1", true},
		{"==1.0.dev3", true},
		{"<3,>=2.0b1", true},
		{"!=2.0rc1", false},
		{"~=1.4", false},
		{"~=2.0rc1", true},
		{"==1.*", false},
	} {
		s, err := ParseSpecifier(tc.spec)
		if err != nil {
			t.Fatalf("ParseSpecifier(%q): %v", tc.spec, err)
		}
		if got := s.NamesPreRelease(); got != tc.want {
			t.Errorf("%q.NamesPreRelease() = %v, want %v", tc.spec, got, tc.want)
		}
	}
}
