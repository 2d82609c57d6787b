package solver

import (
	"fmt"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// maxIDBytes bounds document ids (a Kubernetes name is at most 253).
const maxIDBytes = 253

// ParseID splits a solver document id into the solver name and the
// environment encoded in it. Two forms exist:
//
//	solver-<os>-<version>-py<XY>-<hex>               solver-fedora-31-py37-012b745d
//	solver-<os>-<version>-py<XY>-<yymmddHHMMSS>-<hex> solver-rhel-8-py38-210525123456-0123456789abcdef
//
// <os> is lowercase letters and digits starting with a letter; <version> is
// dot-separated digits ("31", "8", "8.2"); py<XY> is a one-digit major and a
// one- or two-digit minor ("py37" -> "3.7", "py310" -> "3.10"); <hex> is 8 to
// 32 lowercase hex digits; the timestamp must be a real UTC time. The solver
// name is the id without the timestamp and hex ("solver-rhel-8-py38"); the
// environment is normalised (see python.Environment.Normalized), so
// "solver-ubi-8.2-py38-…" yields rhel / 8 / 3.8 with the solver name kept as written.
//
// A legacy id (lowercase words joined by '-', one of them "solver", not
// starting with "solver-") returns an error wrapping ErrLegacyID; a
// "solver-<uuid>" id (lowercase hex, 8-4-4-4-12) one wrapping ErrUUIDID.
func ParseID(id string) (solverName string, env python.Environment, err error) {
	if len(id) > maxIDBytes {
		return "", python.Environment{}, fmt.Errorf("solver document id is longer than %d bytes", maxIDBytes)
	}
	rest, ok := strings.CutPrefix(id, "solver-")
	if !ok {
		if legacyID(id) {
			return "", python.Environment{}, fmt.Errorf("%q: %w", id, ErrLegacyID)
		}
		return "", python.Environment{}, fmt.Errorf("%q is not a solver document id (solver-<os>-<version>-py<XY>-[<timestamp>-]<hex>)", id)
	}
	if uuidForm(rest) {
		return "", python.Environment{}, fmt.Errorf("%q: %w", id, ErrUUIDID)
	}
	parts := strings.Split(rest, "-")
	if len(parts) != 4 && len(parts) != 5 {
		return "", python.Environment{}, fmt.Errorf("%q is not of the form solver-<os>-<version>-py<XY>-[<timestamp>-]<hex>", id)
	}
	osName, osVersion, py := parts[0], parts[1], parts[2]
	if !osNameRe(osName) {
		return "", python.Environment{}, fmt.Errorf("%q: bad operating system name %q", id, osName)
	}
	if !dottedDigits(osVersion) {
		return "", python.Environment{}, fmt.Errorf("%q: bad operating system version %q", id, osVersion)
	}
	pyVersion, ok := pyTag(py)
	if !ok {
		return "", python.Environment{}, fmt.Errorf("%q: bad Python tag %q (want py<major><minor>, e.g. py38)", id, py)
	}
	if len(parts) == 5 {
		ts := parts[3]
		if len(ts) != 12 || !python.IsDigits(ts) {
			return "", python.Environment{}, fmt.Errorf("%q: bad timestamp %q (want yymmddHHMMSS)", id, ts)
		}
		if _, err := time.Parse("060102150405", ts); err != nil {
			return "", python.Environment{}, fmt.Errorf("%q: bad timestamp %q: not a valid time", id, ts)
		}
	}
	if h := parts[len(parts)-1]; len(h) < 8 || len(h) > 32 || !lowerHex(h) {
		return "", python.Environment{}, fmt.Errorf("%q: bad suffix %q (want 8 to 32 lowercase hex digits)", id, h)
	}
	name := "solver-" + osName + "-" + osVersion + "-" + py
	return name, python.Environment{OSName: osName, OSVersion: osVersion, PythonVersion: pyVersion}.Normalized(), nil
}

// solverNameFor is the canonical solver name of an environment
// ("solver-fedora-26-py36"), used for legacy ids.
func solverNameFor(e python.Environment) string {
	return "solver-" + e.OSName + "-" + e.OSVersion + "-py" + strings.ReplaceAll(e.PythonVersion, ".", "")
}

// legacyID reports whether id has the pre-2019 form: lowercase words and
// digits joined by single dashes, one word being "solver".
func legacyID(id string) bool {
	if id == "" || len(id) > maxIDBytes || strings.HasPrefix(id, "solver-") {
		return false
	}
	solver := false
	for _, w := range strings.Split(id, "-") {
		if w == "" {
			return false
		}
		for i := 0; i < len(w); i++ {
			if c := w[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
				return false
			}
		}
		solver = solver || w == "solver"
	}
	return solver
}

// uuidForm reports whether s is a UUID in its canonical text form with
// lowercase hex digits (8-4-4-4-12).
func uuidForm(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// pyTag turns "py37" into "3.7" and "py310" into "3.10".
func pyTag(s string) (string, bool) {
	d, ok := strings.CutPrefix(s, "py")
	if !ok || len(d) < 2 || len(d) > 3 || !python.IsDigits(d) {
		return "", false
	}
	minor := d[1:]
	if len(minor) == 2 && minor[0] == '0' {
		return "", false
	}
	return d[:1] + "." + minor, true
}

func osNameRe(s string) bool {
	if s == "" || len(s) > 32 || !(s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// dottedDigits reports whether s is digits separated by single dots ("8.2").
func dottedDigits(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, p := range strings.Split(s, ".") {
		if !python.IsDigits(p) {
			return false
		}
	}
	return true
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}
