package objectstore

import (
	"strings"

	"github.com/seshat-graph/seshat/persistence"
)

// layout maps a document-id prefix to the folder Thoth keeps such
// documents in. nested kinds keep one folder per document holding several
// files (inspections/<id>/results/0/result, security-indicators/<id>/bandit).
var layout = []struct {
	idPrefix, folder string
	nested           bool
}{
	{"solver-", "solver", false},
	{"revsolver-", "revsolver", false},
	{"adviser-", "adviser", false},
	{"package-extract-", "analysis", false},
	{"provenance-checker-", "provenance-checker", false},
	{"dependency-monkey-", "dependency-monkey-reports", false},
	{"inspection-", "inspections", true},
	{"security-indicator-", "security-indicators", true},
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
	if documentID == "" {
		return "", persistence.Errorf(persistence.CodeInvalid, "document id is empty")
	}
	if strings.Contains(documentID, "/") {
		return "", persistence.Errorf(persistence.CodeInvalid, "document id %q contains '/'", documentID)
	}
	if err := checkPath(documentID, "document id"); err != nil {
		return "", err
	}
	for _, k := range layout {
		if strings.HasPrefix(documentID, k.idPrefix) && len(documentID) > len(k.idPrefix) {
			return k.folder + "/" + documentID, nil
		}
	}
	return "", persistence.Errorf(persistence.CodeInvalid,
		"document id %q has no known kind prefix (solver-, revsolver-, adviser-, package-extract-, provenance-checker-, dependency-monkey-, inspection-, security-indicator-)", documentID)
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
