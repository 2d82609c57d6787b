#!/usr/bin/env bash
# Rebuilds playground/dist (GraphiQL and the graph explorer, embedded into
# seshat with go:embed) from the npm packages locked in
# playground/web/package-lock.json: npm ci, then esbuild (playground/web/build.mjs).
# Commit the result. To move to newer packages, run `npm update` (or
# `npm install <pkg>@<version> --save-exact`) in playground/web first, then
# this script, then make test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$ROOT/playground/web"

command -v node >/dev/null || { echo "playground-assets: node not found (Node 18+)" >&2; exit 1; }
command -v npm >/dev/null || { echo "playground-assets: npm not found" >&2; exit 1; }

cd "$WEB"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
echo "playground-assets: rebuilt playground/dist:" >&2
(cd "$ROOT" && find playground/dist -type f | sort | xargs du -h) >&2
