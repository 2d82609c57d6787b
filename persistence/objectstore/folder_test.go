package objectstore_test

import (
	"testing"

	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// TestDocumentFolder: keys below a folder-per-document kind belong to the
// folder of their document; other keys to none.
func TestDocumentFolder(t *testing.T) {
	for key, want := range map[string]string{
		"inspections/inspection-a-1/build/specification": "inspections/inspection-a-1",
		"inspections/inspection-a-1/results/10/hwinfo":   "inspections/inspection-a-1",
		"inspections/inspection-a-1":                     "inspections/inspection-a-1",
		"/inspections/inspection-a-1/":                   "inspections/inspection-a-1",
		"security-indicators/security-indicator-x/cloc":  "security-indicators/security-indicator-x",
		"inspections":                                      "",
		"solver/solver-fedora-31-py37-0a0a0a0a":            "",
		"analysis/package-extract-x":                       "",
		"misc/inspections/inspection-a-1/results/0/result": "",
	} {
		if got := objectstore.DocumentFolder(key); got != want {
			t.Errorf("DocumentFolder(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestFolderOf: the folder of a document kept as one folder, by its id.
func TestFolderOf(t *testing.T) {
	for id, want := range map[string]string{
		"inspection-a-1":                       "inspections/inspection-a-1",
		"security-indicator-211124154025-abcd": "security-indicators/security-indicator-211124154025-abcd",
		"solver-fedora-31-py37-0a0a0a0a":       "",
		"inspection-":                          "",
		"inspection-a/b":                       "",
		"results":                              "",
	} {
		if got := objectstore.FolderOf(id); got != want {
			t.Errorf("FolderOf(%q) = %q, want %q", id, got, want)
		}
	}
}
