#!/usr/bin/env bash
# Browser tests of the playground and the graph explorer: Debian's chromium
# driven by playwright-core (playground/e2e, locked with npm ci) against a
# seshat gateway this script starts on sample data of its own.
#
# It installs chromium with apt-get when /usr/bin/chromium is missing and it
# runs as root (never `playwright install`), builds seshat, creates its own
# database on the local cluster (`make services`, 127.0.0.1:54329 unless
# SESHAT_TEST_DATABASE_URL says otherwise), migrates it, loads sample data
# with seshat gen, put and sync, serves on a free loopback port with a
# dir:// document store and an ingest token of its own (for the playground's
# mutation example), runs playground/e2e/browser.test.mjs and removes
# everything on exit, failure included. Screenshots go to test-artifacts/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="$ROOT/playground/e2e"
ARTIFACTS="${SESHAT_TEST_ARTIFACTS:-$ROOT/test-artifacts}"
ADMIN_URL="${SESHAT_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
GO="${GO:-go}"

say() { printf 'browser-test: %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }

command -v node >/dev/null || die "node not found (Node 18+ is needed)"
command -v npm >/dev/null || die "npm not found"
command -v psql >/dev/null || die "psql not found"

if [ ! -x "$CHROMIUM" ]; then
	[ "$(id -u)" = 0 ] || die "$CHROMIUM is missing: install Debian's chromium (apt-get install chromium) or set CHROMIUM"
	say "installing chromium with apt-get"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2 ||
		die "apt-get install chromium failed"
	[ -x "$CHROMIUM" ] || die "$CHROMIUM still missing after apt-get install chromium"
fi

WORK="$(mktemp -d)"
DB="seshat_browser_$$_$RANDOM"
SERVER_PID=""
cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -d "$E2E/node_modules/playwright-core" ] || [ "$E2E/package-lock.json" -nt "$E2E/node_modules/.package-lock.json" ]; then
	say "npm ci in playground/e2e"
	(cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci in playground/e2e failed"
fi

say "building seshat"
(cd "$ROOT" && "$GO" build -o "$WORK/seshat" .) || die "go build failed"

psql "$ADMIN_URL" -qc "CREATE DATABASE \"$DB\"" >/dev/null ||
	die "cannot create a database at $ADMIN_URL: start the local cluster with make services"
DB_URL="$(printf '%s' "$ADMIN_URL" | sed -E "s#/[^/?]+(\?|$)#/$DB\1#")"
export SESHAT_DATABASE_URL="$DB_URL"
export SESHAT_DOCUMENT_STORE="dir://$WORK/documents"
# Only this script's own settings: nothing inherited may require tokens for
# queries or point the gateway elsewhere.
unset SESHAT_DATABASE_READ_URL SESHAT_REQUIRE_AUTH_FOR_QUERIES SESHAT_API_TOKENS SESHAT_DEPLOYMENT || true

say "migrating database $DB and loading sample data (seshat gen --size sample, put, sync)"
"$WORK/seshat" migrate up >&2 || die "seshat migrate up failed"
"$WORK/seshat" gen --size sample --out "$WORK/sample" >"$WORK/gen.txt" || { cat "$WORK/gen.txt" >&2; die "seshat gen failed"; }
"$WORK/seshat" put --quiet "$WORK/sample" >&2 || die "seshat put failed"
# A document that fails is retried by the next sync; the test needs all of
# them, so a second sync gets its chance before the test gives up.
if ! "$WORK/seshat" sync --prefix solver >"$WORK/sync.txt" 2>&1; then
	cat "$WORK/sync.txt" >&2
	say "seshat sync reported failures (above); syncing once more"
	"$WORK/seshat" sync --prefix solver >"$WORK/sync.txt" 2>&1 || { cat "$WORK/sync.txt" >&2; die "seshat sync failed twice"; }
fi
# The sample's OSV advisories (vulnerabilities/), after the versions they match.
"$WORK/seshat" sync --prefix vulnerabilities >"$WORK/sync-vulns.txt" 2>&1 || { cat "$WORK/sync-vulns.txt" >&2; die "seshat sync of the advisories failed"; }

# The generator names the root of its largest walk ("root  tensorflow==2.6.0
# in rhel 8, Python 3.8", some 2,000 nodes in the sample data): the test's
# large-graph step draws it; the other steps pick a readable graph of 50 to
# 150 nodes themselves.
if [ -z "${SESHAT_E2E_LARGE_ROOT:-}" ]; then
	line="$(sed -nE 's/^root +([^ ]+==[^ ]+) in ([^ ]+) ([^,]+), Python ([0-9.]+).*/\1 \2:\3:\4/p' "$WORK/gen.txt" | head -1)"
	if [ -n "$line" ]; then
		export SESHAT_E2E_LARGE_ROOT="${line% *}" SESHAT_E2E_ENV="${SESHAT_E2E_ENV:-${line#* }}"
	fi
fi

# A token only this run knows: the playground's ingestDocument example runs
# with it. The gateway logs token names, never secrets.
SESHAT_E2E_TOKEN="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export SESHAT_E2E_TOKEN

say "starting seshat serve"
SESHAT_API_TOKENS="browser-test:ingest:$SESHAT_E2E_TOKEN" SESHAT_LISTEN_ADDR=127.0.0.1:0 "$WORK/seshat" serve 2>"$WORK/serve.log" &
SERVER_PID=$!
ADDR=""
for _ in $(seq 1 300); do
	ADDR="$(sed -nE 's/.*msg="seshat serving" addr=(http:\/\/[0-9.:]+).*/\1/p' "$WORK/serve.log" | head -1)"
	[ -n "$ADDR" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; die "seshat serve exited"; }
	sleep 0.1
done
[ -n "$ADDR" ] || { cat "$WORK/serve.log" >&2; die "seshat serve did not start"; }

say "testing $ADDR/playground and $ADDR/explorer in $("$CHROMIUM" --version 2>/dev/null || echo chromium); screenshots in $ARTIFACTS"
mkdir -p "$ARTIFACTS"
if ! CHROMIUM="$CHROMIUM" node "$E2E/browser.test.mjs" "$ADDR" "$ARTIFACTS"; then
	say "gateway log (last 40 lines):"
	tail -n 40 "$WORK/serve.log" >&2
	die "browser tests failed"
fi
say "ok"
