#!/usr/bin/env bash
# make run: local services, migrations, sample data on first start, then the
# gateway in the foreground on 127.0.0.1:8080.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/services.sh start >/dev/null
eval "$(scripts/services.sh env)"
# make run keeps its documents in a local directory: no S3 needed to explore.
export SESHAT_DOCUMENT_STORE="${SESHAT_DOCUMENT_STORE:-dir://$ROOT/.data/documents}"

go build -o seshat .
./seshat migrate up

# Sample data: generated once, synced every start (already-ingested documents
# are skipped by their content hash, so this is quick after the first time).
if ./seshat gen --help >/dev/null 2>&1; then
	if [ ! -f .data/sample/.done ]; then
		rm -rf .data/sample
		./seshat gen --size sample --out .data/sample
		touch .data/sample/.done
	fi
	./seshat put --quiet .data/sample
	# A failed document is reported (and retried by the next start); the
	# gateway serves what was ingested either way.
	./seshat sync --prefix solver || echo "run: some sample documents failed to sync (listed above); serving the rest" >&2
fi

echo "Seshat: playground http://127.0.0.1:8080/playground  explorer http://127.0.0.1:8080/explorer  GraphQL http://127.0.0.1:8080/graphql"
exec ./seshat serve
