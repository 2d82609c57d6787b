package python

import (
	"fmt"
	"slices"
	"strings"
)

// Requirement is a PEP 508 dependency specification without a direct
// reference: a name, extras, a version specifier set and a marker
// ("requests[socks]>=2.25; python_version >= '3.7'").
type Requirement struct {
	// Name is PEP 503 normalised.
	Name string
	// Extras are normalised, sorted and without duplicates.
	Extras    []string
	Specifier Specifier
	// Marker is nil when the requirement has none; MarkerText is its text
	// as written, trimmed.
	Marker     *Marker
	MarkerText string
}

// SyntaxError is a requirement or marker that does not parse: Pos is the
// 0-based byte offset where parsing stopped.
type SyntaxError struct {
	Input   string
	Pos     int
	Message string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("position %d: %s (in %q)", e.Pos, e.Message, e.Input)
}

// ParseRequirement parses a PEP 508 requirement: name, optional [extras],
// an optional specifier set (bare or in parentheses) and an optional
// "; marker". A direct reference ("name @ https://...") is refused: the
// graph knows releases on indexes only. Errors are *SyntaxError.
func ParseRequirement(s string) (Requirement, error) {
	p := &scanner{in: s}
	fail := func(pos int, format string, args ...any) (Requirement, error) {
		return Requirement{}, &SyntaxError{Input: s, Pos: pos, Message: fmt.Sprintf(format, args...)}
	}
	p.space()
	start := p.pos
	name := p.identifier()
	if name == "" {
		return fail(start, "expected a package name")
	}
	out := Requirement{Name: NormalizeName(name)}
	p.space()
	if p.take("[") {
		for {
			p.space()
			if p.take("]") {
				break
			}
			if len(out.Extras) > 0 && !p.take(",") {
				return fail(p.pos, "expected ',' or ']' in the extras")
			}
			p.space()
			at := p.pos
			x := p.identifier()
			if x == "" {
				if p.peek() == ']' && len(out.Extras) > 0 {
					continue // a trailing comma
				}
				return fail(at, "expected an extra's name")
			}
			out.Extras = append(out.Extras, NormalizeName(x))
		}
		slices.Sort(out.Extras)
		out.Extras = slices.Compact(out.Extras)
		p.space()
	}
	if p.peek() == '@' {
		return fail(p.pos, "direct references (name @ url) are not supported: name a version on an index")
	}
	specAt := p.pos
	var spec string
	if p.take("(") {
		end := strings.IndexByte(s[p.pos:], ')')
		if end < 0 {
			return fail(specAt, "unclosed '(' of the version specifier")
		}
		spec = s[p.pos : p.pos+end]
		p.pos += end + 1
	} else {
		end := strings.IndexByte(s[p.pos:], ';')
		if end < 0 {
			end = len(s) - p.pos
		}
		spec = s[p.pos : p.pos+end]
		p.pos += end
	}
	if strings.TrimSpace(spec) != "" {
		sp, err := ParseSpecifier(spec)
		if err != nil {
			return fail(specAt, "bad version specifier %q: %v", strings.TrimSpace(spec), err)
		}
		out.Specifier = sp
	}
	p.space()
	if p.take(";") {
		text := strings.TrimSpace(s[p.pos:])
		m, err := parseMarkerAt(s, p.pos)
		if err != nil {
			return Requirement{}, err
		}
		out.Marker, out.MarkerText = m, text
		p.pos = len(s)
	}
	if p.space(); p.pos < len(s) {
		return fail(p.pos, "unexpected %q", s[p.pos:])
	}
	return out, nil
}

// String writes the requirement back in a normal form:
// "requests[socks]>=2.25; python_version >= '3.7'".
func (r Requirement) String() string {
	out := r.Name
	if len(r.Extras) > 0 {
		out += "[" + strings.Join(r.Extras, ",") + "]"
	}
	out += r.Specifier.String()
	if r.MarkerText != "" {
		out += "; " + r.MarkerText
	}
	return out
}

// Marker is a parsed PEP 508 environment marker.
type Marker struct{ root markerNode }

// ParseMarker parses a PEP 508 marker ("python_version < '3.8' and
// sys_platform == 'linux'"). Errors are *SyntaxError.
func ParseMarker(s string) (*Marker, error) { return parseMarkerAt(s, 0) }

// MarkerValues are the values of PEP 508's marker variables, by name.
type MarkerValues map[string]string

// MarkerValuesOf gives the marker variables their values in a Thoth
// environment: CPython on x86_64 Linux, python_version the environment's
// and python_full_version that with a patch level of 0 (the environment
// does not record one), extra empty.
func MarkerValuesOf(e Environment) MarkerValues {
	full := e.PythonVersion
	if strings.Count(full, ".") == 1 {
		full += ".0"
	}
	return MarkerValues{
		"python_version":                 e.PythonVersion,
		"python_full_version":            full,
		"os_name":                        "posix",
		"sys_platform":                   "linux",
		"platform_system":                "Linux",
		"platform_machine":               "x86_64",
		"platform_python_implementation": "CPython",
		"implementation_name":            "cpython",
		"implementation_version":         full,
		"platform_release":               "",
		"platform_version":               "",
		"extra":                          "",
	}
}

// Evaluate reports whether the marker holds for the values; a variable
// without a value is "".
func (m *Marker) Evaluate(values MarkerValues) bool { return m.root.eval(values) }

type markerNode struct {
	op          string // "and", "or", or a comparison operator
	left, right *markerNode
	// For comparisons: each side is a variable or a literal.
	lhs, rhs operand
}

type operand struct {
	variable string // set for a marker variable
	literal  string
}

func (o operand) value(values MarkerValues) string {
	if o.variable != "" {
		return values[o.variable]
	}
	return o.literal
}

func (n *markerNode) eval(values MarkerValues) bool {
	switch n.op {
	case "and":
		return n.left.eval(values) && n.right.eval(values)
	case "or":
		return n.left.eval(values) || n.right.eval(values)
	}
	l, r := n.lhs.value(values), n.rhs.value(values)
	if n.lhs.variable == "extra" || n.rhs.variable == "extra" {
		l, r = NormalizeName(l), NormalizeName(r)
	}
	switch n.op {
	case "in":
		return strings.Contains(r, l)
	case "not in":
		return !strings.Contains(r, l)
	}
	// As packaging does: a version comparison when the right side makes a
	// specifier with the operator and the left is a version, else strings.
	if spec, err := ParseSpecifier(n.op + r); err == nil {
		if v, err := ParseVersion(l); err == nil {
			return spec.Matches(v)
		}
	}
	switch n.op {
	case "==", "===":
		return l == r
	case "!=":
		return l != r
	case "<":
		return l < r
	case "<=":
		return l <= r
	case ">":
		return l > r
	case ">=":
		return l >= r
	}
	return false
}

var markerVariables = map[string]bool{
	"python_version": true, "python_full_version": true, "os_name": true, "sys_platform": true,
	"platform_release": true, "platform_system": true, "platform_version": true,
	"platform_machine": true, "platform_python_implementation": true,
	"implementation_name": true, "implementation_version": true, "extra": true,
	// Legacy spellings packaging still accepts.
	"os.name": true, "sys.platform": true, "platform.version": true, "platform.machine": true,
	"platform.python_implementation": true, "python_implementation": true,
}

var legacyVariables = map[string]string{
	"os.name": "os_name", "sys.platform": "sys_platform", "platform.version": "platform_version",
	"platform.machine": "platform_machine", "platform.python_implementation": "platform_python_implementation",
	"python_implementation": "platform_python_implementation",
}

func parseMarkerAt(s string, at int) (*Marker, error) {
	p := &markerParser{scanner: scanner{in: s, pos: at}}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.space(); p.pos < len(s) {
		return nil, p.fail(p.pos, "unexpected %q in the marker", s[p.pos:])
	}
	return &Marker{root: *n}, nil
}

type markerParser struct{ scanner }

func (p *markerParser) fail(pos int, format string, args ...any) error {
	return &SyntaxError{Input: p.in, Pos: pos, Message: fmt.Sprintf(format, args...)}
}

func (p *markerParser) or() (*markerNode, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.space(); p.keyword("or"); p.space() {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = &markerNode{op: "or", left: left, right: right}
	}
	return left, nil
}

func (p *markerParser) and() (*markerNode, error) {
	left, err := p.expr()
	if err != nil {
		return nil, err
	}
	for p.space(); p.keyword("and"); p.space() {
		right, err := p.expr()
		if err != nil {
			return nil, err
		}
		left = &markerNode{op: "and", left: left, right: right}
	}
	return left, nil
}

func (p *markerParser) expr() (*markerNode, error) {
	p.space()
	if p.take("(") {
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.space(); !p.take(")") {
			return nil, p.fail(p.pos, "expected ')' in the marker")
		}
		return n, nil
	}
	lhs, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.space()
	at := p.pos
	op := ""
	for _, o := range []string{"===", "==", "!=", "<=", ">=", "~=", "<", ">"} {
		if p.take(o) {
			op = o
			break
		}
	}
	if op == "" {
		switch {
		case p.keyword("in"):
			op = "in"
		case p.keyword("not"):
			if p.space(); !p.keyword("in") {
				return nil, p.fail(p.pos, "expected 'in' after 'not' in the marker")
			}
			op = "not in"
		default:
			return nil, p.fail(at, "expected a marker operator (==, !=, <, <=, >, >=, ~=, ===, in, not in)")
		}
	}
	p.space()
	rhs, err := p.operand()
	if err != nil {
		return nil, err
	}
	if lhs.variable == "" && rhs.variable == "" {
		return nil, p.fail(at, "a marker compares a variable (python_version, sys_platform, ...) with a quoted string")
	}
	return &markerNode{op: op, lhs: lhs, rhs: rhs}, nil
}

func (p *markerParser) operand() (operand, error) {
	at := p.pos
	if q := p.peek(); q == '\'' || q == '"' {
		end := strings.IndexByte(p.in[p.pos+1:], q)
		if end < 0 {
			return operand{}, p.fail(at, "unclosed string in the marker")
		}
		lit := p.in[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		return operand{literal: lit}, nil
	}
	start := p.pos
	for p.pos < len(p.in) && (isAlnum(p.in[p.pos]) || p.in[p.pos] == '_' || p.in[p.pos] == '.') {
		p.pos++
	}
	name := p.in[start:p.pos]
	if !markerVariables[name] {
		if name == "" {
			return operand{}, p.fail(at, "expected a marker variable or a quoted string")
		}
		return operand{}, p.fail(at, "unknown marker variable %q", name)
	}
	if n, ok := legacyVariables[name]; ok {
		name = n
	}
	return operand{variable: name}, nil
}

// scanner walks a string byte by byte.
type scanner struct {
	in  string
	pos int
}

func (p *scanner) space() {
	for p.pos < len(p.in) && (p.in[p.pos] == ' ' || p.in[p.pos] == '\t') {
		p.pos++
	}
}

func (p *scanner) peek() byte {
	if p.pos < len(p.in) {
		return p.in[p.pos]
	}
	return 0
}

func (p *scanner) take(tok string) bool {
	if strings.HasPrefix(p.in[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

// keyword takes word when it is not the start of a longer identifier.
func (p *scanner) keyword(word string) bool {
	rest := p.in[p.pos:]
	if !strings.HasPrefix(rest, word) || (len(rest) > len(word) && (isAlnum(rest[len(word)]) || rest[len(word)] == '_')) {
		return false
	}
	p.pos += len(word)
	return true
}

// identifier takes a PEP 508 name: letters and digits, with '.', '-' and
// '_' inside.
func (p *scanner) identifier() string {
	start := p.pos
	if p.pos >= len(p.in) || !isAlnum(p.in[p.pos]) {
		return ""
	}
	for p.pos < len(p.in) && (isAlnum(p.in[p.pos]) || strings.IndexByte("._-", p.in[p.pos]) >= 0) {
		p.pos++
	}
	for p.pos > start+1 && strings.IndexByte("._-", p.in[p.pos-1]) >= 0 {
		p.pos--
	}
	return p.in[start:p.pos]
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
