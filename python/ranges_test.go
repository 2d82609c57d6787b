package python

import (
	"errors"
	"strings"
	"testing"
)

// eco builds an ECOSYSTEM range from "introduced:0", "fixed:1.2" and the like.
func eco(events ...string) Range { return rangeOf(RangeEcosystem, events...) }

func rangeOf(typ string, events ...string) Range {
	r := Range{Type: typ}
	for _, s := range events {
		key, value, _ := strings.Cut(s, ":")
		var e Event
		switch key {
		case "introduced":
			e.Introduced = value
		case "fixed":
			e.Fixed = value
		case "last_affected":
			e.LastAffected = value
		case "limit":
			e.Limit = value
		default:
			panic("bad event " + s)
		}
		r.Events = append(r.Events, e)
	}
	return r
}

func mustVersion(t testing.TB, s string) Version {
	t.Helper()
	v, err := ParseVersion(s)
	if err != nil {
		t.Fatalf("ParseVersion(%q): %v", s, err)
	}
	return v
}

func TestAffectedMatches(t *testing.T) {
	for _, tt := range []struct {
		name string
		a    Affected
		in   []string // affected
		out  []string // not affected
		// fixed maps versions of in to FixedIn's answer ("" for none).
		fixed map[string]string
	}{
		{
			name:  "introduced 0 and fixed",
			a:     Affected{Ranges: []Range{eco("introduced:0", "fixed:1.2.7")}},
			in:    []string{"0", "0.dev0", "0.0.1a1", "0.1", "1.0", "1.2.6", "1.2.7rc1", "1.2.7.dev1"},
			out:   []string{"1.2.7", "1.2.7.0", "1.2.7.post1", "1.2.8", "2.0", "1!0.1"},
			fixed: map[string]string{"1.0": "1.2.7", "1.2.7rc1": "1.2.7"},
		},
		{
			name:  "introduced 0 alone affects every version",
			a:     Affected{Ranges: []Range{eco("introduced:0")}},
			in:    []string{"0.dev0", "0", "1.0", "99!1.0.post3"},
			fixed: map[string]string{"1.0": ""},
		},
		{
			name:  "introduced above 0",
			a:     Affected{Ranges: []Range{eco("introduced:3.1", "fixed:41.0.6")}},
			in:    []string{"3.1", "3.1.0", "3.1.1", "35.0.0", "41.0.5", "41.0.6rc1"},
			out:   []string{"3.0", "3.1rc1", "3.1.dev0", "3.0.post1", "41.0.6", "42"},
			fixed: map[string]string{"3.1": "41.0.6"},
		},
		{
			name:  "last_affected includes the version it names",
			a:     Affected{Ranges: []Range{eco("introduced:0", "last_affected:2.1.214")}},
			in:    []string{"1.0", "2.1.214", "2.1.214rc1", "2.1.214.0"},
			out:   []string{"2.1.214.post1", "2.1.215", "2.1.215.dev0", "3"},
			fixed: map[string]string{"1.0": "", "2.1.214": ""},
		},
		{
			name:  "limit bounds an open range",
			a:     Affected{Ranges: []Range{eco("introduced:1.0", "limit:2.0")}},
			in:    []string{"1.0", "1.5", "2.0rc1"},
			out:   []string{"0.9", "2.0", "2.1"},
			fixed: map[string]string{"1.5": ""},
		},
		{
			name: "several limits: below any one of them",
			a:    Affected{Ranges: []Range{eco("introduced:1.0", "limit:1.5", "limit:3.0")}},
			in:   []string{"1.0", "1.6", "2.9"},
			out:  []string{"0.1", "3.0", "4"},
		},
		{
			name: "limit * is infinity",
			a:    Affected{Ranges: []Range{eco("introduced:1.0", "limit:*")}},
			in:   []string{"1.0", "100"},
			out:  []string{"0.9"},
		},
		{
			name:  "limit and fixed",
			a:     Affected{Ranges: []Range{eco("introduced:1.0", "fixed:3.0", "limit:2.0")}},
			in:    []string{"1.0", "1.9"},
			out:   []string{"2.0", "2.5", "3.0"},
			fixed: map[string]string{"1.9": "3.0"},
		},
		{
			name: "several introduced and fixed pairs in one range",
			a:    Affected{Ranges: []Range{eco("introduced:0", "fixed:1.2.7", "introduced:1.3", "fixed:1.3.1")}},
			in:   []string{"1.0", "1.2.6", "1.3", "1.3.0", "1.3.1rc1"},
			out:  []string{"1.2.7", "1.2.8", "1.3rc1", "1.3.1", "1.4"},
			fixed: map[string]string{
				"1.0": "1.2.7", "1.3": "1.3.1", "1.3.1rc1": "1.3.1",
			},
		},
		{
			name:  "events out of order are sorted",
			a:     Affected{Ranges: []Range{eco("fixed:1.3.1", "introduced:1.3", "fixed:1.2.7", "introduced:0")}},
			in:    []string{"1.0", "1.3"},
			out:   []string{"1.2.7", "1.3.1"},
			fixed: map[string]string{"1.0": "1.2.7", "1.3": "1.3.1"},
		},
		{
			name: "equal versions keep record order",
			a:    Affected{Ranges: []Range{eco("introduced:0", "fixed:1.0", "introduced:1.0.0", "fixed:2.0")}},
			in:   []string{"0.5", "1.0", "1.5"},
			out:  []string{"2.0"},
			fixed: map[string]string{
				"0.5": "1.0", "1.0": "2.0",
			},
		},
		{
			name: "introduced and fixed at the same version affect nothing there",
			a:    Affected{Ranges: []Range{eco("introduced:1.0", "fixed:1.0")}},
			out:  []string{"0.9", "1.0", "1.1"},
		},
		{
			name: "multiple ranges",
			a: Affected{Ranges: []Range{
				eco("introduced:1.0", "fixed:1.1"),
				eco("introduced:2.0", "last_affected:2.2"),
			}},
			in:    []string{"1.0", "1.0.5", "2.0", "2.2"},
			out:   []string{"0.9", "1.1", "1.9", "2.2.1", "3"},
			fixed: map[string]string{"1.0.5": "1.1", "2.1": ""},
		},
		{
			name: "FixedIn takes the first range that includes the version",
			a: Affected{Ranges: []Range{
				eco("introduced:2.0", "fixed:2.5"),
				eco("introduced:0", "fixed:3.0"),
			}},
			in:    []string{"1.0", "2.1"},
			out:   []string{"3.0"},
			fixed: map[string]string{"1.0": "3.0", "2.1": "2.5"},
		},
		{
			name: "pre-release, post and dev releases in PEP 440 order",
			a:    Affected{Ranges: []Range{eco("introduced:1.0a1", "fixed:1.0.post1")}},
			in:   []string{"1.0a1", "1.0a2", "1.0b1", "1.0rc1", "1.0c2", "1.0", "1.0.0", "1.0+local.1", "1.0.post1.dev0"},
			out:  []string{"1.0.dev0", "1.0a1.dev1", "0.9", "1.0.post1", "1.0.post2", "1.0.1"},
		},
		{
			name: "dev release bounds",
			a:    Affected{Ranges: []Range{eco("introduced:2.0.dev1", "fixed:2.0a1")}},
			in:   []string{"2.0.dev1", "2.0.dev5"},
			out:  []string{"2.0.dev0", "2.0a1", "2.0"},
		},
		{
			name:  "explicit versions only, compared per PEP 440",
			a:     Affected{Versions: []string{"1.0", "1.1.0", "2.0-alpha1", "v3.0", "not a version"}},
			in:    []string{"1.0.0", "1.0", "1.1", "2.0a1", "3.0"},
			out:   []string{"1.0.1", "1.2", "2.0", "2.0a2", "0"},
			fixed: map[string]string{"1.0": ""},
		},
		{
			name: "a version in a range but not in versions",
			a: Affected{
				Ranges:   []Range{eco("introduced:0", "fixed:2.0")},
				Versions: []string{"1.0", "1.1"},
			},
			in:    []string{"1.0", "1.1", "1.2", "1.9.9"},
			out:   []string{"2.0"},
			fixed: map[string]string{"1.2": "2.0"},
		},
		{
			name: "a version in versions but in no range",
			a: Affected{
				Ranges:   []Range{eco("introduced:1.0", "fixed:2.0")},
				Versions: []string{"0.9"},
			},
			in:    []string{"0.9", "1.0"},
			out:   []string{"0.8", "2.0"},
			fixed: map[string]string{"0.9": "", "1.0": "2.0"},
		},
		{
			name: "GIT and SEMVER ranges are ignored",
			a: Affected{Ranges: []Range{
				{Type: RangeGit, Repo: "https://example.org/repo.git", Events: []Event{{Introduced: "0"}, {Fixed: "f09c261ca10a31fe41b1262306db7f8f1da0e48a"}}},
				rangeOf(RangeSemver, "introduced:0", "fixed:2.0.0"),
			}},
			out: []string{"0", "1.0", "3.0"},
		},
		{
			name: "GIT range beside an ECOSYSTEM one",
			a: Affected{Ranges: []Range{
				{Type: RangeGit, Events: []Event{{Introduced: "0"}, {Fixed: "abc"}}},
				eco("introduced:3.1", "fixed:41.0.6"),
			}},
			in:  []string{"3.1"},
			out: []string{"3.0", "41.0.6"},
		},
		{
			name: "unparsable events are ignored",
			a:    Affected{Ranges: []Range{eco("introduced:0", "fixed:not a version", "introduced:x")}},
			in:   []string{"1.0", "99"},
		},
		{
			name: "nothing",
			a:    Affected{},
			out:  []string{"0", "1.0"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range tt.in {
				if !tt.a.Matches(mustVersion(t, s)) {
					t.Errorf("Matches(%s) = false, want true", s)
				}
			}
			for _, s := range tt.out {
				v := mustVersion(t, s)
				if tt.a.Matches(v) {
					t.Errorf("Matches(%s) = true, want false", s)
				}
				if got, ok := tt.a.FixedIn(v); ok {
					t.Errorf("FixedIn(%s) = %q, true for a version not affected", s, got)
				}
			}
			for s, want := range tt.fixed {
				got, ok := tt.a.FixedIn(mustVersion(t, s))
				if got != want || ok != (want != "") {
					t.Errorf("FixedIn(%s) = %q, %v; want %q, %v", s, got, ok, want, want != "")
				}
			}
		})
	}
}

func TestMatcherZero(t *testing.T) {
	var m Matcher
	v := mustVersion(t, "1.0")
	if m.Matches(v) {
		t.Error("the zero Matcher matches 1.0")
	}
	if fixed, ok := m.FixedIn(v); ok {
		t.Errorf("the zero Matcher says 1.0 is fixed in %q", fixed)
	}
}

func TestAffectedValidate(t *testing.T) {
	ok := func(rs ...Range) Affected { return Affected{Name: "django", Ranges: rs} }
	for _, tt := range []struct {
		name string
		a    Affected
		path string // "" for valid
		msg  string
	}{
		{"ecosystem", ok(eco("introduced:0", "fixed:1.2.7", "introduced:1.3", "fixed:1.3.1")), "", ""},
		{"last_affected and limits", ok(eco("introduced:1.0a1", "last_affected:2.0.post1", "limit:3", "limit:*")), "", ""},
		{"git commits are not versions", ok(Range{Type: RangeGit, Repo: "https://example.org/r", Events: []Event{{Introduced: "0"}, {Fixed: "f09c261c"}}}), "", ""},
		{"semver is not checked", ok(rangeOf(RangeSemver, "introduced:0", "fixed:1.0.0-beta+exp")), "", ""},
		{"unparsable versions are kept", Affected{Name: "x", Versions: []string{"not a version"}}, "", ""},
		{"no ranges", Affected{Name: "x"}, "", ""},
		{"no name", Affected{Name: " "}, "package.name", "missing"},
		{"no type", ok(eco("introduced:0"), Range{Events: []Event{{Introduced: "0"}}}), "ranges[1].type", "missing"},
		{"unknown type", ok(rangeOf("ecosystem", "introduced:0")), "ranges[0].type", `unknown range type "ecosystem" (want ECOSYSTEM, SEMVER or GIT)`},
		{"no events", ok(Range{Type: RangeEcosystem}), "ranges[0].events", "no events"},
		{"empty event", ok(Range{Type: RangeEcosystem, Events: []Event{{Introduced: "0"}, {Fixed: " "}}}), "ranges[0].events[1]", "no introduced, fixed, last_affected or limit"},
		{"two fields in an event", ok(Range{Type: RangeGit, Events: []Event{{Introduced: "0", Fixed: "1.0"}}}), "ranges[0].events[0]", "more than one of introduced, fixed, last_affected and limit"},
		{"no introduced", ok(eco("fixed:1.0")), "ranges[0].events", "no introduced event"},
		{"bad fixed", ok(eco("introduced:0"), eco("introduced:0", "fixed:1.0.x")), "ranges[1].events[1].fixed", `invalid PEP 440 version "1.0.x"`},
		{"bad introduced", ok(eco("introduced:latest")), "ranges[0].events[0].introduced", `invalid PEP 440 version "latest"`},
		{"bad last_affected", ok(eco("introduced:0", "last_affected:1.*")), "ranges[0].events[1].last_affected", `invalid PEP 440 version "1.*"`},
		{"bad limit", ok(eco("introduced:0", "limit:x")), "ranges[0].events[1].limit", `invalid PEP 440 version "x"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Validate()
			if tt.path == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Path != tt.path || fe.Message != tt.msg {
				t.Fatalf("Validate() = %#v, want a *FieldError at %q saying %q", err, tt.path, tt.msg)
			}
			if want := tt.path + ": " + tt.msg; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func FuzzAffectedMatches(f *testing.F) {
	f.Add("introduced:0,fixed:1.2.7,introduced:1.3,fixed:1.3.1", "1.0,1.3", "1.2.6")
	f.Add("introduced:1.0a1,last_affected:2.0.post1,limit:3,limit:*", "", "2.0")
	f.Add("fixed:1.0,introduced:1.0", "v1.0,x", "1.0.0")
	f.Add("limit:1.0", "", "0")
	f.Add("introduced:0", "", "1!2.0+local")
	f.Add("introduced:,fixed:", ",", "0.dev0")
	f.Fuzz(func(t *testing.T, events, versions, version string) {
		v, err := ParseVersion(version)
		if err != nil {
			return
		}
		r := Range{Type: RangeEcosystem}
		for _, s := range strings.Split(events, ",") {
			key, value, _ := strings.Cut(s, ":")
			switch key {
			case "introduced":
				r.Events = append(r.Events, Event{Introduced: value})
			case "fixed":
				r.Events = append(r.Events, Event{Fixed: value})
			case "last_affected":
				r.Events = append(r.Events, Event{LastAffected: value})
			case "limit":
				r.Events = append(r.Events, Event{Limit: value})
			default:
				r.Events = append(r.Events, Event{Introduced: key, Fixed: value})
			}
		}
		a := Affected{Name: "x", Ranges: []Range{r, {Type: RangeGit, Events: r.Events}}, Versions: strings.Split(versions, ",")}
		_ = a.Validate()
		matched := a.Matches(v)
		fixed, ok := a.FixedIn(v)
		if ok {
			if !matched {
				t.Fatalf("FixedIn(%s) = %q for a version Matches says is not affected", v, fixed)
			}
			w, err := ParseVersion(fixed)
			if err != nil || w.Compare(v) <= 0 {
				t.Fatalf("FixedIn(%s) = %q, not a version above it (%v)", v, fixed, err)
			}
		}
		if (Affected{Ranges: []Range{{Type: RangeEcosystem, Events: []Event{{Introduced: "0"}}}}}).Matches(v) != true {
			t.Fatalf("introduced 0 does not match %s", v)
		}
	})
}
