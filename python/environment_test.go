package python

import (
	"errors"
	"testing"
)

func TestEnvironmentNormalized(t *testing.T) {
	for _, tt := range []struct{ in, want Environment }{
		{Environment{"UBI", "8.3", "3.8.5"}, Environment{"rhel", "8", "3.8"}},
		{Environment{"ubi", "8", "38"}, Environment{"rhel", "8", "3.8"}},
		{Environment{"rhel", "8", "3.6"}, Environment{"rhel", "8", "3.6"}},
		{Environment{" RHEL ", " 9.1 ", "3.10.2"}, Environment{"rhel", "9", "3.10"}},
		{Environment{"rhel", "8.", "3"}, Environment{"rhel", "8", "3"}},
		{Environment{"RHEL", "8 .1", "3 . 8"}, Environment{"rhel", "8", "3 . 8"}},
		{Environment{" Fedora ", "31", "3.10"}, Environment{"fedora", "31", "3.10"}},
		{Environment{"Fedora", "38", "3.11"}, Environment{"fedora", "38", "3.11"}},
		{Environment{"fedora", "32.1", "310"}, Environment{"fedora", "32.1", "3.10"}},
		{Environment{"centos", "8.2", "3"}, Environment{"centos", "8.2", "3"}},
		{Environment{"0", "0", ". ."}, Environment{"0", "0", "."}},
		{Environment{}, Environment{}},
	} {
		got := tt.in.Normalized()
		if got != tt.want {
			t.Errorf("%+v.Normalized() = %+v, want %+v", tt.in, got, tt.want)
		}
		if again := got.Normalized(); again != got {
			t.Errorf("%+v.Normalized() is not normalised: %+v", got, again)
		}
	}
}

func TestEnvironmentValidate(t *testing.T) {
	for _, tt := range []struct {
		in   Environment
		want string // "" for valid
	}{
		{Environment{"rhel", "8", "3.8"}, ""},
		{Environment{"UBI", "8.2", "38"}, ""},
		{Environment{"", "8", "3.8"}, "incomplete environment: no OS name"},
		{Environment{"rhel", "", "3.8"}, "incomplete environment: no OS version"},
		{Environment{"rhel", "8", ""}, "incomplete environment: no Python version"},
		{Environment{" ", "8", "3.8"}, "incomplete environment: no OS name"},
		{Environment{"rhel", ".1", "3.8"}, "incomplete environment: no OS version"}, // rhel keeps "" of ".1"
		{Environment{"fedora", ".1", "3.8"}, ""},
		{Environment{}, "incomplete environment: no OS name, no OS version, no Python version"},
	} {
		err := tt.in.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v.Validate() = %v, want nil", tt.in, err)
		case tt.want != "" && (err == nil || err.Error() != tt.want || !errors.Is(err, ErrIncompleteEnvironment)):
			t.Errorf("%+v.Validate() = %v, want %q wrapping ErrIncompleteEnvironment", tt.in, err, tt.want)
		}
	}
}
