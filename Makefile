# Seshat: `make run` and `make test` are all a new machine needs (with Go).
SHELL := /bin/bash
GO ?= go
# The environment scripts/services.sh prints; the defaults everything already uses.
SERVICES_ENV = eval "$$(scripts/services.sh env)"

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: run
run: ## local PostgreSQL (no MinIO), migrations, sample data, gateway on http://127.0.0.1:8080 (foreground)
	@scripts/run.sh

.PHONY: build
build: ## build ./seshat
	$(GO) build -o seshat .

.PHONY: services
services: ## start (or reuse) the local PostgreSQL 15, its hot standby, pgbouncer and MinIO; prints their environment
	@scripts/services.sh start

.PHONY: services-stop
services-stop: ## stop the local PostgreSQL, its hot standby, pgbouncer and MinIO
	@scripts/services.sh stop

.PHONY: test
test: services ## services, then every test: Go with -race, the GraphQL-over-HTTP audit, the browser tests
	@$(SERVICES_ENV); failed=""; \
		scripts/tools.sh || failed="$$failed tools"; \
		$(GO) test -race -count=1 -timeout 30m ./... || failed="$$failed go-test"; \
		scripts/http-audit.sh || failed="$$failed http-audit"; \
		scripts/browser-test.sh || failed="$$failed browser-test"; \
		if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed" >&2; exit 1; fi; \
		echo "make test: all passed (go test, http-audit, browser-test)"

.PHONY: test-thoth
test-thoth: services ## the conformance suite over the real Thoth documents in SESHAT_THOTH_FIXTURES (default ../shared/fixtures/thoth)
	@$(SERVICES_ENV) && scripts/test-thoth.sh

.PHONY: generate
generate: ## regenerate the GraphQL code from graph/schema
	$(GO) tool gqlgen generate

.PHONY: verify
verify: generate lint services ## regenerate, then fail when the tree differs; lint; the model diagram is current
	@git diff --exit-code -- . || { echo "generated code is stale: run make generate and commit" >&2; exit 1; }
	$(GO) mod tidy -diff
	@$(SERVICES_ENV) && scripts/schema-diagram.sh --check

.PHONY: diagram
diagram: services ## rewrite docs/ARCHITECTURE.md's model diagram from a freshly migrated database
	@$(SERVICES_ENV) && scripts/schema-diagram.sh

.PHONY: lint
lint: ## gofmt and go vet
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:" >&2; echo "$$out" >&2; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags thoth ./...

.PHONY: bench
bench: services ## benchmarks; figures for docs/benchmarks.md
	@$(SERVICES_ENV) && scripts/bench.sh

.PHONY: bench-memory
bench-memory: services ## the sync's memory over 100,000 documents (about 12 minutes); docs/benchmarks.md
	@$(SERVICES_ENV) && scripts/bench.sh memory

.PHONY: bench-scale
bench-scale: services ## walk, nested query and sync at 1x, 10x, 100x (builds tf100x once: hours); docs/benchmarks.md
	@$(SERVICES_ENV) && scripts/bench.sh scale

.PHONY: fuzz
fuzz: ## run each fuzzer for FUZZTIME (default 5m) with the seed corpora in testdata/fuzz
	@scripts/fuzz.sh

.PHONY: clean
clean: ## stop services and remove .data, .bin and build output
	-@scripts/services.sh stop
	rm -rf .data .bin seshat test-artifacts
