#!/usr/bin/env bash
# make test-thoth: the conformance suite over real Thoth documents.
#
# Runs every TestThoth* test (files built with the thoth tag) against the
# directory in SESHAT_THOTH_FIXTURES (default ../shared/fixtures/thoth beside
# the clone). A missing directory fails at once: the suite never skips. The
# services of `make services` must run (make test-thoth starts them). The
# full output goes to test-artifacts/test-thoth.log; the report lines
# ("conformance: ...") and the results are printed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
GO="${GO:-go}"

dir="${SESHAT_THOTH_FIXTURES:-../shared/fixtures/thoth}"
if [ ! -d "$dir" ]; then
	echo "test-thoth: FAIL: $dir is not a directory: set SESHAT_THOTH_FIXTURES to the real Thoth documents (../shared/fixtures/thoth)" >&2
	exit 1
fi
export SESHAT_THOTH_FIXTURES="$(cd "$dir" && pwd)"
mkdir -p test-artifacts
log=test-artifacts/test-thoth.log
echo "test-thoth: real documents from $SESHAT_THOTH_FIXTURES (full output: $log)" >&2

rc=0
"$GO" test -race -count=1 -timeout 30m -tags thoth -run '^TestThoth' -v ./... >"$log" 2>&1 || rc=$?
grep -E 'conformance:|^(--- |ok |FAIL|panic)|^\s+--- ' "$log" | grep -v '^ok .*\[no test files\]' || true
if [ "$rc" != 0 ]; then
	echo "test-thoth: FAIL (exit $rc); the failures:" >&2
	grep -B2 -A20 -E '^\s*--- FAIL' "$log" | head -200 >&2 || tail -100 "$log" >&2
	exit "$rc"
fi
if ! grep -q -- '--- PASS: TestThoth' "$log"; then
	echo "test-thoth: FAIL: no TestThoth test ran" >&2
	exit 1
fi
echo "test-thoth: ok" >&2
