#!/usr/bin/env bash
# docs/ARCHITECTURE.md's model diagram is `seshat schema --database --format
# mermaid` of a freshly migrated database. This rewrites it (make diagram),
# or with --check fails when the document differs (make verify).
# Needs the PostgreSQL of `make services` (SESHAT_TEST_DATABASE_URL).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf 'schema-diagram: %s\n' "$*" >&2; }
ADMIN="${SESHAT_TEST_DATABASE_URL:?run through make, which starts the services and sets SESHAT_TEST_DATABASE_URL}"
DOC=docs/ARCHITECTURE.md
BEGIN='<!-- seshat schema --database --format mermaid: generated, begin -->'
END='<!-- seshat schema --database --format mermaid: generated, end -->'
WORK="$(mktemp -d)"
DB="seshat_schema_$$_$RANDOM"
URL="${ADMIN%%\?*}"
URL="${URL%/*}/$DB?sslmode=disable"
cleanup() { psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
go build -o "$WORK/seshat" .
psql -q "$ADMIN" -c "CREATE DATABASE $DB" >/dev/null
SESHAT_DATABASE_URL="$URL" SESHAT_LOG_LEVEL=warn "$WORK/seshat" migrate up >/dev/null
SESHAT_DATABASE_URL="$URL" SESHAT_LOG_LEVEL=warn "$WORK/seshat" schema --database --format mermaid >"$WORK/diagram"
python3 - "$DOC" "$WORK/diagram" "$BEGIN" "$END" "$WORK/new" <<'PY'
import sys
doc, diagram, begin, end, out = sys.argv[1:]
text = open(doc).read()
if begin not in text or end not in text:
    sys.exit(f"{doc}: the markers of the generated diagram are missing")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(out, "w").write(head + begin + "\n```mermaid\n" + open(diagram).read() + "```\n" + end + tail)
PY
if [ "${1:-}" = --check ]; then
	if ! cmp -s "$DOC" "$WORK/new"; then
		diff -u "$DOC" "$WORK/new" | head -40 >&2 || true
		say "$DOC's model diagram is stale: run make diagram and commit"
		exit 1
	fi
	exit 0
fi
cp "$WORK/new" "$DOC"
say "wrote $DOC"
