# Apostille. A newcomer needs two commands: `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin
DEMO  := build/demo
FUZZTIME ?= 60s
FUZZSMOKE ?= 3s

.PHONY: all build run test lint unit interop-deps fuzz fuzz-smoke bench clean docs site site-deps site-test browser bench-site

# The citizen's page (site/): npm packages from the committed lockfile,
# Debian's Chromium for its browser tests.
NPM      ?= npm
SITE     := build/site
SITEDEMO := build/demo-site
WASMFILE ?= bin/apostille.wasm
# The page bundles the module and its ES module: `make wasm` builds both.
SITEWASM ?= wasm

all: build

## build: the command-line tool at bin/apostille
build:
	$(GO) build -trimpath -o $(BIN)/apostille ./cmd/apostille

## run: build the demo world, verify its documents, then serve the page on 127.0.0.1:8080
run: build site
	rm -rf $(DEMO)
	$(BIN)/apostille demo $(DEMO)
	-$(BIN)/apostille verify --trust $(DEMO)/trust.json --format text $(DEMO)/documents
	$(BIN)/apostille serve --addr 127.0.0.1:8080 --site $(SITE)

## test: everything CI runs
test: lint unit fuzz-smoke site-test

## site: the citizen's page, a plain folder at build/site
site: build $(SITEWASM) site-deps
	$(GO) run ./internal/cmd/sitecodes -report verifier/report.go -o build/codes.json
	rm -rf $(SITEDEMO)
	$(BIN)/apostille demo $(SITEDEMO) >/dev/null
	cd site && APOSTILLE_WASM=$(abspath $(WASMFILE)) APOSTILLE_DEMO=$(abspath $(SITEDEMO)) \
	  APOSTILLE_CODES=$(abspath build/codes.json) APOSTILLE_SITE_OUT=$(abspath $(SITE)) node build.mjs

site-deps: site/node_modules/.installed
site/node_modules/.installed: site/package.json site/package-lock.json
	cd site && $(NPM) ci --no-audit --no-fund
	touch $@

## browser: Debian's Chromium for the browser tests (apt-get; CI runs as root)
browser:
	scripts/chromium.sh

## site-test: the page's tests in headless Chromium; screenshots in build/screenshots
site-test: site browser
	cd site && node --test --test-concurrency=1 test/*.test.mjs

## bench-site: navigation to first verdict, module size; see docs/PERFORMANCE.md
bench-site: site browser
	cd site && node bench.mjs

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) tool staticcheck ./...

unit: interop-deps
	$(GO) test -count=1 ./...

## interop-deps: independent implementations the interop tests drive (npm ci, committed lockfiles)
interop-deps:
	cd interop/statuslist && npm ci --no-audit --no-fund --loglevel=error
	cd interop/sdjwt && npm ci --no-audit --no-fund --loglevel=error

fuzz-smoke:
	scripts/fuzz.sh $(FUZZSMOKE)

## fuzz: every fuzz target for FUZZTIME each
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

## bench: benchmarks with their baselines; results go to docs/PERFORMANCE.md by hand
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(MAKE) bench-site

## docs: regenerate generated documentation
docs:
	$(GO) generate ./verifier

clean:
	rm -rf bin build
