#!/usr/bin/env bash
# make run: the main job on the embedded default. A local PostgreSQL (the only
# server it needs), migrations, sample data on first start, documents in a
# local directory (dir://.data/documents), then the gateway in the foreground
# on 127.0.0.1:8080. MinIO is not needed here: make services, make test and
# make bench start it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'run: %s\n' "$*" >&2; }

scripts/services.sh start postgres >/dev/null
# Only the database of the services' environment: make run has no S3.
eval "$(scripts/services.sh env | grep '^export SESHAT_DATABASE_URL=')"
ADDR="${SESHAT_LISTEN_ADDR:-127.0.0.1:8080}"
export SESHAT_DOCUMENT_STORE="${SESHAT_DOCUMENT_STORE:-dir://$ROOT/.data/documents}"

# Mutations need a bearer token. Unless SESHAT_API_TOKENS says otherwise,
# make run uses a development token of scope admin, made once and kept in
# .data/dev-token (never used outside this checkout).
token_note=""
if [ -z "${SESHAT_API_TOKENS:-}" ]; then
	if [ ! -s .data/dev-token ]; then
		mkdir -p .data
		(umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >.data/dev-token)
	fi
	export SESHAT_API_TOKENS="dev:admin:$(cat .data/dev-token)"
	token_note="mutations: -H \"Authorization: Bearer \$(cat .data/dev-token)\" (development token of scope admin in .data/dev-token; set SESHAT_API_TOKENS=name:scope:secret to use your own)"
else
	token_note="mutations: the tokens in SESHAT_API_TOKENS (Authorization: Bearer <secret>)"
fi

say "building ./seshat"
go build -o seshat .
./seshat migrate up

# Sample data: generated once, put and synced every start (documents whose
# content was ingested before are skipped by their hash, so later starts are
# quick).
if [ ! -f .data/sample/.done ]; then
	rm -rf .data/sample
	say "generating the sample documents into .data/sample (once)"
	./seshat gen --size sample --out .data/sample
	touch .data/sample/.done
fi
./seshat put --quiet .data/sample
# A failed document is reported (and retried by the next start); the gateway
# serves what was ingested either way.
./seshat sync --prefix solver || say "some sample documents failed to sync (listed above); serving the rest"
# The sample's OSV advisories (vulnerabilities/), matched to the versions above.
./seshat sync --prefix vulnerabilities || say "some sample advisories failed to sync (listed above); serving the rest"

cat >&2 <<MSG

Seshat on http://$ADDR (Ctrl-C stops it; PostgreSQL keeps running: make services-stop)
  playground  http://$ADDR/playground
  explorer    http://$ADDR/explorer
  GraphQL     http://$ADDR/graphql
  documents   ${SESHAT_DOCUMENT_STORE} (sample documents generated in .data/sample)
  $token_note
  the CLI     ./seshat --help (from this directory its defaults are make run's database and documents)

MSG
exec ./seshat serve
