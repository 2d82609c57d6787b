package objectstore

import (
	"slices"
	"strings"

	"github.com/seshat-graph/seshat/persistence"
)

// row is one row of the layout table: a kind of Thoth document, the
// prefix of its ids and where Thoth keeps it.
type row struct {
	// name names the kind: "solver", "package-extract".
	name string
	// prefix starts the ids of the kind's documents: "solver-".
	prefix string
	// folder holds the kind's documents: "analysis" for package-extract.
	folder string
	// nested kinds keep one folder per document holding several files
	// (inspections/<id>/results/0/result, security-indicators/<id>/bandit).
	nested bool
	// analyzers are the metadata.analyzer values that name the kind of a
	// document whose id has no known prefix (see KindOfAnalyzer).
	analyzers []string
}

// layout is the one table of document kinds, in the order Kinds lists
// them. Every other list of kinds, prefixes or folders (the handler
// registry of package ingest, messages naming the known kinds, seshat put's
// --kind) is derived from it: a new kind is one row here and, in package
// ingest, one writer. No prefix may start another one.
var layout = []row{
	{name: "solver", prefix: "solver-", folder: "solver", analyzers: []string{"thoth-solver", "thoth_solver"}},
	{name: "revsolver", prefix: "revsolver-", folder: "revsolver"},
	{name: "adviser", prefix: "adviser-", folder: "adviser"},
	{name: "package-extract", prefix: "package-extract-", folder: "analysis", analyzers: []string{"thoth-package-extract"}},
	{name: "provenance-checker", prefix: "provenance-checker-", folder: "provenance-checker"},
	{name: "dependency-monkey", prefix: "dependency-monkey-", folder: "dependency-monkey-reports"},
	{name: "inspection", prefix: "inspection-", folder: "inspections", nested: true},
	{name: "security-indicator", prefix: "security-indicator-", folder: "security-indicators", nested: true,
		analyzers: []string{"thoth-si-bandit", "thoth-si-cloc", "si-aggregator"}},
	// OSV records: one per document, kept as vulnerabilities/<OSV id>
	// (PYSEC-…, GHSA-…, CVE-…: ids of no known prefix take the kind from
	// the folder, or from the kind their sender declares).
	{name: "vulnerability", prefix: "vulnerability-", folder: "vulnerabilities"},
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
// INVALID when the id is not a single key element, or as KindFor when the
// kind is unknown, the id has another kind's prefix, or (kind "") no known
// prefix.
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
	name, err := KindFor(documentID, "", kind)
	if err != nil {
		return "", err
	}
	return lookupRow(name).folder + "/" + documentID, nil
}

// KindFor returns the kind of the document with the given id; it is the one
// place that decides it. The kind is declared, the one the document's sender
// names (ingestDocument's kind, seshat put --kind), when it is not ""; else
// the kind of the id's prefix; else the kind whose folder holds key (see
// KindOfKey; key may be ""). So a document whose id names no kind — a
// thoth-solver 1.0 id ("fridex-thoth-solver-fc26-…"), a document without
// metadata.document_id named by its file — belongs to the kind it is
// declared as, or to the folder it is kept in, as in Thoth's layout
// ("solver/<id>").
//
// INVALID when declared is not a known kind, when the id's prefix names
// another kind than declared, or when neither declared, the id's prefix
// nor key names a kind.
func KindFor(documentID, key, declared string) (string, error) {
	byPrefix := KindOfID(documentID)
	switch {
	case declared != "" && lookupRow(declared) == nil:
		return "", persistence.Errorf(persistence.CodeInvalid, "unknown document kind %q (known kinds: %s)", declared, strings.Join(Kinds(), ", "))
	case declared != "" && byPrefix != "" && byPrefix != declared:
		return "", persistence.Errorf(persistence.CodeInvalid, "document id %q has the prefix of %s documents, not of %s ones", documentID, byPrefix, declared)
	case declared != "":
		return declared, nil
	case byPrefix != "":
		return byPrefix, nil
	}
	if byFolder := KindOfKey(key); byFolder != "" {
		return byFolder, nil
	}
	prefixes := make([]string, len(layout))
	for i, k := range layout {
		prefixes[i] = k.prefix
	}
	return "", persistence.Errorf(persistence.CodeInvalid, "document id %q has no known kind prefix (%s)", documentID, strings.Join(prefixes, ", "))
}

// Kinds returns the document kinds of Thoth's layout, in a fixed order:
// solver, revsolver, adviser, package-extract, provenance-checker,
// dependency-monkey, inspection, security-indicator, vulnerability.
func Kinds() []string {
	out := make([]string, len(layout))
	for i, k := range layout {
		out[i] = k.name
	}
	return out
}

// lookupRow returns the layout row of the kind called name, nil when there
// is none.
func lookupRow(name string) *row {
	for i := range layout {
		if layout[i].name == name {
			return &layout[i]
		}
	}
	return nil
}

// KindOfID returns the kind an id's prefix names ("solver" for
// "solver-…", "package-extract" for "package-extract-…"), "" when it has no
// known prefix.
func KindOfID(documentID string) string {
	for _, k := range layout {
		if strings.HasPrefix(documentID, k.prefix) && len(documentID) > len(k.prefix) {
			return k.name
		}
	}
	return ""
}

// KindOfAnalyzer returns the kind whose documents Thoth's analyzer of that
// name writes, as metadata.analyzer gives it: "solver" for "thoth-solver"
// (and thoth-solver 1.0's "thoth_solver"); "" when the layout names no
// kind by it. It names the kind of a document whose id has no known prefix.
func KindOfAnalyzer(analyzer string) string {
	for _, k := range layout {
		if slices.Contains(k.analyzers, analyzer) {
			return k.name
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
			return k.name
		}
	}
	parent := key[:strings.LastIndexByte(key, '/')]
	parent = parent[strings.LastIndexByte(parent, '/')+1:]
	for _, k := range layout {
		if !k.nested && k.folder == parent {
			return k.name
		}
	}
	return ""
}

// FolderOf returns the key of the folder a document of a
// folder-per-document kind is kept in when documentID has that kind's
// prefix ("inspections/inspection-x" for "inspection-x"), else "".
func FolderOf(documentID string) string {
	row := lookupRow(KindOfID(documentID))
	if row == nil || !row.nested || CheckKey(documentID) != nil || strings.Contains(documentID, "/") {
		return ""
	}
	return row.folder + "/" + documentID
}

// DocumentFolder returns the folder of the document a key below a
// folder-per-document kind belongs to: "inspections/<id>" for
// "inspections/<id>" and for "inspections/<id>/results/0/result"; "" for a
// key of any other kind. The folder's objects are the document's (see
// ingest's Sync); a document of such a kind kept as one object (the
// 2019-2020 inspections) is the object at the folder's key.
func DocumentFolder(key string) string {
	key = strings.Trim(key, "/")
	folder, rest, ok := strings.Cut(key, "/")
	if !ok || rest == "" {
		return ""
	}
	for _, k := range layout {
		if k.nested && k.folder == folder {
			id, _, _ := strings.Cut(rest, "/")
			return folder + "/" + id
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
