#!/usr/bin/env bash
# make bench: the performance contract of DESIGN.md, measured on this machine.
#
# Builds seshat and the benchmark runner (bench/cmd/seshat-bench), installs the
# load generator and PostGraphile 4 from bench/peer/package-lock.json (npm ci,
# once), then runs every measurement, prints a table and rewrites the
# generated section of docs/benchmarks.md.
#
# The benchmark databases (bench_tf, bench_tf10x, and bench_mixed for the
# mixed load of 64 clients, 60 s with the graph cache on, then off) are generated and ingested on the first run and
# reused afterwards while their marker (dataset hash, seed, migrations)
# matches; drop them to rebuild. The ingestion measurement makes its own
# bucket and databases and removes them. A transport error, 5xx or INTERNAL
# answer under the mixed load is written down, then fails the run.
#
# Needs the services `make services` starts (make bench starts them) and Node.
# `scripts/bench.sh memory` (make bench-memory) instead syncs 100,000 generated
# documents from MinIO and records the sync's memory in its own section;
# `scripts/bench.sh scale` (make bench-scale) measures the walk, the nested
# query and the sync on tf, tf10x and tf100x (about 650,000 versions, built
# and cached on its first run) in its own section.
# SESHAT_BENCH_FLAGS adds or overrides runner flags, for example
#   SESHAT_BENCH_FLAGS='-sizes tf -ingest "" -load 5s' scripts/bench.sh
# or only the mixed load, graph cache on and off (-mixed-clients 0 skips it):
#   SESHAT_BENCH_FLAGS='-sizes "" -ingest "" -osv "" -mixed-load 10s -warmup 3s' scripts/bench.sh
# (seshat-bench -help lists them).
# SESHAT_BENCH_BASELINE=<git revision> builds that revision's seshat too, and
# the ingestion measurement syncs with it right before this tree's, in the
# same run: the figures and CPU time before and after a change side by side.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf 'bench: %s\n' "$*" >&2; }

command -v node >/dev/null || { say "node is needed for autocannon and PostGraphile"; exit 1; }
if [ ! -d bench/peer/node_modules ] || [ bench/peer/package-lock.json -nt bench/peer/node_modules ]; then
	say "npm ci in bench/peer"
	(cd bench/peer && npm ci --no-audit --no-fund --loglevel=error)
	touch bench/peer/node_modules
fi

mkdir -p .bin/bench
say "building seshat and the runner"
go build -o .bin/bench/seshat .
go build -o .bin/bench/seshat-bench ./bench/cmd/seshat-bench
BASELINE=()
if [ -n "${SESHAT_BENCH_BASELINE:-}" ]; then
	rev="$(git rev-parse --short "${SESHAT_BENCH_BASELINE}^{commit}")"
	say "building seshat at $rev (SESHAT_BENCH_BASELINE)"
	src=".bin/bench/baseline-src"
	rm -rf "$src" && mkdir -p "$src"
	git archive "$rev" | tar -x -C "$src"
	(cd "$src" && go build -o ../seshat-baseline .)
	rm -rf "$src"
	BASELINE=(-ingest-baseline .bin/bench/seshat-baseline -ingest-baseline-label "$rev")
fi

CMD="make bench"
if [ "${1:-}" = scale ]; then
	# make bench-scale: the walk, the nested query and a sync at 1x, 10x and
	# 100x (tf100x is built on the first run: hours on a busy 2-core
	# machine, resumed where it stopped when interrupted), its own section.
	CMD="make bench-scale"
	if [ -n "${SESHAT_BENCH_FLAGS:-}" ]; then
		CMD="SESHAT_BENCH_FLAGS='$SESHAT_BENCH_FLAGS' make bench-scale"
	fi
	SESHAT_BENCH_FLAGS="-sizes '' -ingest '' -clients '' -mixed-clients 0 -scale tf,tf10x,tf100x ${SESHAT_BENCH_FLAGS:-}"
elif [ "${1:-}" = memory ]; then
	# make bench-memory: only the sync of 100,000 documents, its own section.
	CMD="make bench-memory"
	SESHAT_BENCH_FLAGS="-sizes '' -ingest '' -clients '' -mixed-clients 0 -memory-docs 100000 ${SESHAT_BENCH_FLAGS:-}"
elif [ -n "${SESHAT_BENCH_FLAGS:-}" ]; then
	CMD="SESHAT_BENCH_FLAGS='$SESHAT_BENCH_FLAGS' make bench"
fi
if [ -n "${SESHAT_BENCH_BASELINE:-}" ]; then
	CMD="SESHAT_BENCH_BASELINE=$rev $CMD"
fi
eval "set -- ${SESHAT_BENCH_FLAGS:-}"

# The hot standby replays every write of the primary on the same two cores:
# the benchmark databases' builds and syncs would be replayed while they are
# measured (seen: the walks 1.5x slower right after a dataset build). Nothing
# here reads from it, so it is stopped for the run (its replication slot keeps
# the WAL, up to max_slot_wal_keep_size) and started again afterwards, when it
# catches up, or from a new base backup when the run wrote more WAL than the
# slot keeps.
standby_stopped=0
services_status="$(scripts/services.sh status 2>/dev/null || true)"
if grep -q '^standby: running' <<<"$services_status"; then
	say "stopping the hot standby for the run (started again afterwards)"
	scripts/services.sh stop standby
	standby_stopped=1
fi
restart_standby() {
	if [ "$standby_stopped" = 1 ]; then
		scripts/services.sh start standby >/dev/null || say "the hot standby did not start again: scripts/services.sh start standby"
	fi
}
trap restart_standby EXIT

.bin/bench/seshat-bench \
	-seshat .bin/bench/seshat \
	-peer bench/peer \
	-doc docs/benchmarks.md \
	-command "$CMD" \
	-sizes tf,tf10x \
	-ingest tf \
	-iters 20 \
	-osv "${SESHAT_OSV_FIXTURES:-../shared/fixtures/osv}/vulns" \
	"${BASELINE[@]}" \
	"$@"
