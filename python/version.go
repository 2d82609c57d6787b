package python

import pep440 "github.com/aquasecurity/go-pep440-version"

// Version is a version string parsed per PEP 440. The zero Version is not
// the parse of any string; compare only versions ParseVersion returned.
type Version struct{ v pep440.Version }

// ParseVersion parses s per PEP 440, accepting the spellings PEP 440
// normalises ("1.0-alpha1", "v1.0", " 1.0 "); it returns an error for a
// string PEP 440 does not describe ("not a version", "").
func ParseVersion(s string) (Version, error) {
	v, err := pep440.Parse(s)
	if err != nil {
		return Version{}, err
	}
	return Version{v: v}, nil
}

// Compare returns -1, 0 or +1 as v is lower than, equal to or higher than w
// in PEP 440 order (1.9 < 1.10, 1.0.dev1 < 1.0a1 < 1.0 < 1.0.post1, 1.0 == 1.0.0).
func (v Version) Compare(w Version) int { return v.v.Compare(w.v) }

// IsPreRelease reports whether v is a pre-release or a development release
// ("1.0rc1", "1.0.dev3").
func (v Version) IsPreRelease() bool { return v.v.IsPreRelease() }

// String returns v in PEP 440 normal form ("1.0a1" for "1.0-alpha1").
func (v Version) String() string { return v.v.String() }
