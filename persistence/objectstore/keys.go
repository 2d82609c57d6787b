package objectstore

import (
	"strings"

	"github.com/seshat-graph/seshat/persistence"
)

// layout maps each document kind, named as the id prefix without its dash,
// to the id prefix and the folder Thoth keeps such documents in. nested
// kinds keep one folder per document holding several files
// (inspections/<id>/results/0/result, security-indicators/<id>/bandit).
var layout = []struct {
	kind, idPrefix, folder string
	nested                 bool
}{
	{"solver", "solver-", "solver", false},
	{"revsolver", "revsolver-", "revsolver", false},
	{"adviser", "adviser-", "adviser", false},
	{"package-extract", "package-extract-", "analysis", false},
	{"provenance-checker", "provenance-checker-", "provenance-checker", false},
	{"dependency-monkey", "dependency-monkey-", "dependency-monkey-reports", false},
	{"inspection", "inspection-", "inspections", true},
	{"security-indicator", "security-indicator-", "security-indicators", true},
}

// KeyFor returns the key of the document with the given id, chosen by the
// id's prefix as Thoth lays documents out: "solver-…" -> "solver/solver-…",
// "adviser-…" -> "adviser/…", "package-extract-…" -> "analysis/…",
// "provenance-checker-…" -> "provenance-checker/…", "dependency-monkey-…"
// -> "dependency-monkey-reports/…", "revsolver-…" -> "revsolver/…". For
// inspections and security indicators, whose documents are folders of
// files, it returns that folder ("inspections/<id>",
// "security-indicators/<id>"): list it with KeyFor(id)+"/".
//
// INVALID when the id is not a single key element or has no known prefix.
func KeyFor(documentID string) (string, error) {
	return KeyIn("", documentID)
}

// KeyIn is KeyFor for a document of the given kind ("solver", "adviser",
// "package-extract", ...; see Kinds): an id without the kind's prefix is
// kept in the kind's folder as it is, "solver", "fridex-thoth-solver-fc26-…"
// -> "solver/fridex-thoth-solver-fc26-…", as Thoth kept documents whose id
// predates the prefix, and as a document without metadata.document_id is
// kept under its file name. kind "" is KeyFor.
//
// INVALID when the id is not a single key element, when kind is unknown,
// when the id has another kind's prefix, or (kind "") no known prefix.
func KeyIn(kind, documentID string) (string, error) {
	if documentID == "" {
		return "", persistence.Errorf(persistence.CodeInvalid, "document id is empty")
	}
	if strings.Contains(documentID, "/") {
		return "", persistence.Errorf(persistence.CodeInvalid, "document id %q contains '/'", documentID)
	}
	if err := checkPath(documentID, "document id"); err != nil {
		return "", err
	}
	byPrefix := KindOfID(documentID)
	switch {
	case kind == "" && byPrefix == "":
		return "", persistence.Errorf(persistence.CodeInvalid,
			"document id %q has no known kind prefix (solver-, revsolver-, adviser-, package-extract-, provenance-checker-, dependency-monkey-, inspection-, security-indicator-)", documentID)
	case kind == "":
		kind = byPrefix
	case byPrefix != "" && byPrefix != kind:
		return "", persistence.Errorf(persistence.CodeInvalid, "document id %q has the prefix of %s documents, not of %s ones", documentID, byPrefix, kind)
	}
	for _, k := range layout {
		if k.kind == kind {
			return k.folder + "/" + documentID, nil
		}
	}
	return "", persistence.Errorf(persistence.CodeInvalid, "unknown document kind %q (known kinds: %s)", kind, strings.Join(Kinds(), ", "))
}

// Kinds returns the document kinds of Thoth's layout, in a fixed order:
// solver, revsolver, adviser, package-extract, provenance-checker,
// dependency-monkey, inspection, security-indicator.
func Kinds() []string {
	out := make([]string, len(layout))
	for i, k := range layout {
		out[i] = k.kind
	}
	return out
}

// KindOfID returns the kind an id's prefix names ("solver" for
// "solver-…", "package-extract" for "package-extract-…"), "" when it has no
// known prefix.
func KindOfID(documentID string) string {
	for _, k := range layout {
		if strings.HasPrefix(documentID, k.idPrefix) && len(documentID) > len(k.idPrefix) {
			return k.kind
		}
	}
	return ""
}

// KindOfKey returns the kind whose folder holds the document at key, the
// folder of DocumentID's id: "solver" for "solver/x" (and for
// "thoth-prod/solver/x"), "package-extract" for "analysis/x", "inspection"
// for "inspections/<id>/results/0/result"; "" when no kind's folder does.
func KindOfKey(key string) string {
	key = strings.Trim(key, "/")
	first, _, ok := strings.Cut(key, "/")
	if !ok {
		return ""
	}
	for _, k := range layout {
		if k.nested && k.folder == first {
			return k.kind
		}
	}
	parent := key[:strings.LastIndexByte(key, '/')]
	parent = parent[strings.LastIndexByte(parent, '/')+1:]
	for _, k := range layout {
		if !k.nested && k.folder == parent {
			return k.kind
		}
	}
	return ""
}

// DocumentID returns the id of the document a key belongs to, the inverse
// of KeyFor: for keys below a folder-per-document kind
// ("inspections/<id>/…", "security-indicators/<id>/…") the folder name,
// otherwise the key's last element ("solver/solver-x" -> "solver-x").
func DocumentID(key string) string {
	key = strings.Trim(key, "/")
	folder, rest, ok := strings.Cut(key, "/")
	if ok {
		for _, k := range layout {
			if k.nested && k.folder == folder {
				id, _, _ := strings.Cut(rest, "/")
				return id
			}
		}
	}
	return key[strings.LastIndexByte(key, '/')+1:]
}
