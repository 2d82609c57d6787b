#!/usr/bin/env bash
# The Debian programs the tests use beyond the services: Graphviz's dot
# (seshat schema --format png). Installs them with apt-get when missing and
# this runs as root; otherwise says what to install.
set -euo pipefail
say() { printf 'tools: %s\n' "$*" >&2; }
if ! command -v dot >/dev/null; then
	[ "$(id -u)" = 0 ] || { say "Graphviz's dot is missing: install it (apt-get install graphviz)"; exit 1; }
	say "installing graphviz with apt-get"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz; } >&2 ||
		{ say "apt-get install graphviz failed"; exit 1; }
	command -v dot >/dev/null || { say "dot still missing after apt-get install graphviz"; exit 1; }
fi
