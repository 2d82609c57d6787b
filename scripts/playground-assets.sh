#!/usr/bin/env bash
# Rebuilds playground/dist (the GraphiQL playground and the graph explorer that
# seshat embeds) from npm, exactly as playground/web/package-lock.json pins it.
# Needs node and npm and the npm registry; commit playground/dist afterwards.
#
#   scripts/playground-assets.sh          npm ci, then build
#   SKIP_NPM_CI=1 scripts/playground-assets.sh   build with the node_modules already there
set -euo pipefail
cd "$(dirname "$0")/../playground/web"

command -v npm >/dev/null || { echo "playground-assets: npm is required (Debian: apt-get install -y npm)" >&2; exit 1; }
if [ "${SKIP_NPM_CI:-0}" != 1 ]; then
	npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build

# The pages must load nothing from outside the gateway.
if grep -RIlE '(src|href)="https?://' ../dist --include='*.html' >/dev/null; then
	echo "playground-assets: an HTML page in playground/dist references an external URL" >&2
	exit 1
fi
du -sh ../dist
echo "playground-assets: playground/dist rebuilt; run go test ./playground and commit playground/dist"
