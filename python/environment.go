package python

import (
	"errors"
	"fmt"
	"strings"
)

// Environment is where a solver ran: an operating system, its version and a
// Python version ("rhel", "8", "3.8"). The graph stores environments
// normalised (see Normalized).
type Environment struct {
	OSName        string // "fedora", "rhel"
	OSVersion     string // "31", "8"
	PythonVersion string // "3.8", "3.10"
}

// Normalized returns e normalised as Thoth did (and as ingestion stores it):
// the OS name lower case, "ubi" becomes "rhel", rhel keeps only its major
// version ("8.1" -> "8"), Python keeps major.minor ("3.8.5" -> "3.8", "38" -> "3.8");
// surrounding space is dropped. Normalising twice changes nothing.
func (e Environment) Normalized() Environment {
	e.OSName = strings.ToLower(strings.TrimSpace(e.OSName))
	e.OSVersion = strings.TrimSpace(e.OSVersion)
	e.PythonVersion = strings.TrimSpace(e.PythonVersion)
	if e.OSName == "ubi" {
		e.OSName = "rhel"
	}
	// Cutting can leave space at an end ("8 .1", ". ."): trim again, so that
	// normalising twice changes nothing.
	if e.OSName == "rhel" {
		e.OSVersion, _, _ = strings.Cut(e.OSVersion, ".")
		e.OSVersion = strings.TrimSpace(e.OSVersion)
	}
	if major, rest, ok := strings.Cut(e.PythonVersion, "."); ok {
		minor, _, _ := strings.Cut(rest, ".")
		e.PythonVersion = strings.TrimSpace(major + "." + minor)
	} else if len(e.PythonVersion) >= 2 && IsDigits(e.PythonVersion) {
		e.PythonVersion = e.PythonVersion[:1] + "." + e.PythonVersion[1:]
	}
	return e
}

// ErrIncompleteEnvironment is wrapped by the error Validate returns.
var ErrIncompleteEnvironment = errors.New("incomplete environment")

// Validate returns nil when e, normalised, names an OS, an OS version and a
// Python version, and otherwise an error wrapping ErrIncompleteEnvironment
// that says which is missing. Callers map it to their own error codes.
func (e Environment) Validate() error {
	n := e.Normalized()
	var missing []string
	if n.OSName == "" {
		missing = append(missing, "OS name")
	}
	if n.OSVersion == "" {
		missing = append(missing, "OS version")
	}
	if n.PythonVersion == "" {
		missing = append(missing, "Python version")
	}
	if missing != nil {
		return fmt.Errorf("%w: no %s", ErrIncompleteEnvironment, strings.Join(missing, ", no "))
	}
	return nil
}
