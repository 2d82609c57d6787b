#!/usr/bin/env bash
# Runs every Go fuzz target of the module, one at a time, for FUZZTIME each
# (default 5m), with FUZZ_PARALLEL workers (default 1: the machines are small).
# Seed corpora live in <package>/testdata/fuzz/<Fuzzer>; what a fuzzer finds
# is written there too, and becomes a regression seed once fixed.
#
#   scripts/fuzz.sh                      every fuzzer
#   FUZZTIME=30s scripts/fuzz.sh ./persistence    one package's fuzzers
#   FUZZ_MATCH=Cursor scripts/fuzz.sh              fuzzers whose name matches a regexp
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
FUZZTIME="${FUZZTIME:-5m}"
FUZZ_PARALLEL="${FUZZ_PARALLEL:-1}"
FUZZ_MATCH="${FUZZ_MATCH:-.}"
GO="${GO:-go}"

pkgs=("$@")
if [ ${#pkgs[@]} -eq 0 ]; then
	mapfile -t pkgs < <("$GO" list ./...)
fi

ran=0
failed=()
summary=()
for pkg in "${pkgs[@]}"; do
	# -list runs no test; the package's TestMain (if any) is not involved.
	mapfile -t fuzzers < <("$GO" test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
	for f in "${fuzzers[@]}"; do
		[ -n "$f" ] || continue
		[[ "$f" =~ $FUZZ_MATCH ]] || continue
		echo "fuzz: $pkg $f for $FUZZTIME" >&2
		start=$(date +%s)
		if "$GO" test -run '^$' -fuzz "^${f}\$" -fuzztime "$FUZZTIME" -parallel "$FUZZ_PARALLEL" "$pkg"; then
			summary+=("ok    $pkg $f $(( $(date +%s) - start ))s")
		else
			summary+=("FAIL  $pkg $f $(( $(date +%s) - start ))s")
			failed+=("$pkg $f")
		fi
		ran=$((ran + 1))
	done
done

echo
echo "fuzz summary ($ran fuzzers, FUZZTIME=$FUZZTIME):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "failing inputs are in <package>/testdata/fuzz/<Fuzzer>/: fix, keep them as regression seeds" >&2
	exit 1
fi
