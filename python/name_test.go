package python

import (
	"regexp"
	"strings"
	"testing"
)

// refNormalize is PEP 503 spelled as in the PEP, independent of
// NormalizeName, plus the dropping of surrounding space that NormalizeName does.
var refSep = regexp.MustCompile(`[-_.]+`)

func refNormalize(s string) string {
	return strings.ToLower(refSep.ReplaceAllString(strings.TrimSpace(s), "-"))
}

func TestNormalizeName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"PySocks", "pysocks"},
		{"path.py", "path-py"},
		{" path.py ", "path-py"},
		{"ruamel_yaml", "ruamel-yaml"},
		{"a-._b", "a-b"},
		{"a..B__c--D", "a-b-c-d"},
		{"A", "a"},
		{"zope.interface", "zope-interface"},
		{"Django_REST.framework", "django-rest-framework"},
		{"-abc", "-abc"},
		{"abc_", "abc-"},
		{"--", "-"},
		{"", ""},
		{" ", ""},
		{"ipython doctest plugin", "ipython doctest plugin"},
		{"café", "café"},
		{"Ünïcode_Name", "ünïcode-name"},
		{"\u212a", "k"}, // KELVIN SIGN lowercases to ASCII k, as in Python
		{"a+b", "a+b"},
	} {
		if got := NormalizeName(tt.in); got != tt.want || got != refNormalize(tt.in) {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsDigits(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"0", true},
		{"38", true},
		{"210525123456", true},
		{"", false},
		{"3.8", false},
		{" 38", false},
		{"3a", false},
		{"٣", false}, // ARABIC-INDIC DIGIT THREE: ASCII digits only
	} {
		if got := IsDigits(tt.in); got != tt.want {
			t.Errorf("IsDigits(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
