package objectstore_test

import (
	"testing"

	"github.com/seshat-graph/seshat/persistence/objectstore"
)

// TestPackageExtractKind: package-extract documents are kept in analysis/,
// whether their id has the kind's prefix, the folder names it, or (the
// 2018 ids, fridex-thoth-package-extract-…) metadata.analyzer does.
func TestPackageExtractKind(t *testing.T) {
	t.Parallel()
	if k := objectstore.KindOfAnalyzer("thoth-package-extract"); k != "package-extract" {
		t.Errorf("KindOfAnalyzer(thoth-package-extract) = %q", k)
	}
	if k := objectstore.KindOfKey("thoth-prod/analysis/fridex-thoth-package-extract-tensorflow-serving-s2i"); k != "package-extract" {
		t.Errorf("KindOfKey = %q", k)
	}
	for id, kind := range map[string]string{"package-extract-210601080910-5eed1e55": "", "fridex-thoth-package-extract-x": "package-extract"} {
		key, err := objectstore.KeyIn(kind, id)
		if err != nil || key != "analysis/"+id {
			t.Errorf("KeyIn(%q, %q) = %q, %v", kind, id, key, err)
		}
	}
}
