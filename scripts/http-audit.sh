#!/usr/bin/env bash
# GraphQL over HTTP conformance: runs every audit of the npm package
# graphql-http (serverAudits) against a seshat gateway this script starts
# itself, and fails when any MUST or SHOULD audit fails.
#
# It builds seshat into a temporary directory, creates its own database on
# the local cluster (`make services`, 127.0.0.1:54329 unless
# SESHAT_TEST_DATABASE_URL says otherwise), migrates it, serves on a free
# loopback port, installs the audit's locked dependencies (npm ci) and
# cleans everything up on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AUDIT="$ROOT/scripts/http-audit"
ADMIN_URL="${SESHAT_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable}"
GO="${GO:-go}"

say() { printf 'http-audit: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

command -v node >/dev/null || die "node not found (Node 18+ is needed for the audit)"
command -v npm >/dev/null || die "npm not found"
command -v psql >/dev/null || die "psql not found"

WORK="$(mktemp -d)"
DB="seshat_audit_$$_$RANDOM"
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

say "building seshat"
(cd "$ROOT" && "$GO" build -o "$WORK/seshat" .)

psql "$ADMIN_URL" -qc "CREATE DATABASE \"$DB\"" >/dev/null ||
	die "cannot create a database at $ADMIN_URL: start the local cluster with make services"
DB_URL="$(printf '%s' "$ADMIN_URL" | sed -E "s#/[^/?]+(\?|$)#/$DB\1#")"

say "starting seshat serve --migrate on database $DB"
SESHAT_DATABASE_URL="$DB_URL" SESHAT_LISTEN_ADDR=127.0.0.1:0 SESHAT_DOCUMENT_STORE="dir://$WORK/documents" \
	"$WORK/seshat" serve --migrate 2>"$WORK/serve.log" &
SERVER_PID=$!
ADDR=""
for _ in $(seq 1 300); do
	ADDR="$(sed -nE 's/.*msg="seshat serving" addr=(http:\/\/[0-9.:]+).*/\1/p' "$WORK/serve.log" | head -1)"
	[ -n "$ADDR" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; die "seshat serve exited"; }
	sleep 0.1
done
[ -n "$ADDR" ] || { cat "$WORK/serve.log" >&2; die "seshat serve did not start"; }

if [ ! -d "$AUDIT/node_modules/graphql-http" ] || [ "$AUDIT/package-lock.json" -nt "$AUDIT/node_modules/.package-lock.json" ]; then
	say "npm ci"
	(cd "$AUDIT" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

say "auditing $ADDR/graphql"
node "$AUDIT/audit.mjs" "$ADDR/graphql"
