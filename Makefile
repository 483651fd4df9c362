# Apostille. A newcomer needs two commands: `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin
DEMO  := build/demo
FUZZTIME ?= 60s
FUZZSMOKE ?= 3s

.PHONY: xmlsec1 all build wasm wasm-size wasm-repro go-user image-check run test lint unit interop-deps js-test fuzz fuzz-smoke bench bench-bulk bench-serve profile clean docs site site-deps site-test browser bench-site

# The citizen's page (site/): npm packages from the committed lockfile,
# Debian's Chromium for its browser tests. It bundles the module (make wasm,
# through make build) and its ES module wasm/js.
NPM      ?= npm
SITE     := build/site
SITEDEMO := build/demo-site
WASMFILE ?= bin/apostille.wasm

all: build

## build: the command-line tool at bin/apostille, the WebAssembly module embedded
build: wasm
	$(GO) build -trimpath -o $(BIN)/apostille ./cmd/apostille

## wasm: bin/apostille.wasm, reproducibly; prints its SHA-256 and sizes (raw, gzip, brotli)
# When the source changed the module it rewrites wasm/module/apostille.wasm.br
# (committed, embedded by the CLI and wasm/host: commit it with the change,
# CONTRIBUTING.md); it copies the module to wasm/js/ (the npm package).
wasm:
	$(GO) run ./internal/cmd/wasmbuild -o $(BIN)/apostille.wasm
	@cmp -s $(BIN)/apostille.wasm wasm/js/apostille.wasm || cp $(BIN)/apostille.wasm wasm/js/apostille.wasm

## wasm-size: what the module's size is made of, code bytes per Go package
wasm-size:
	$(GO) run ./internal/cmd/wasmsize

## wasm-repro: rebuild the module from a copy of the tree with an empty Go build cache; it must be byte-identical,
## and wasm/module/apostille.wasm.br must be committed as this build wrote it
wasm-repro: wasm
	scripts/wasm-repro.sh $(BIN)/apostille.wasm

## run: build the demo world, verify its documents, then serve the page and the API (demo trust) on 127.0.0.1:8080
run: build site
	rm -rf $(DEMO)
	$(BIN)/apostille demo $(DEMO)
	@echo "== Verifying the demo documents. Some are broken on purpose (tampered, expired, revoked,"
	@echo "== unattested, unknown issuer), so verify exits 1: that is what it shows, not a failure."
	@$(BIN)/apostille verify --trust $(DEMO)/trust.json --format text $(DEMO)/documents; code=$$?; \
	  if [ $$code -eq 1 ]; then echo "== As expected: the broken samples are not valid; $(DEMO)/manifest.json says what each must decide."; \
	  elif [ $$code -ne 0 ]; then exit $$code; fi
	$(BIN)/apostille serve --addr 127.0.0.1:8080 --site $(SITE) \
		--trust $(DEMO)/trust.jws --trust-key $(DEMO)/operator.pub.jwk --trust-state none

## go-user: a Go program outside a clone of HEAD verifies demo documents through wasm/host, without make (examples/verify)
go-user:
	scripts/go-user.sh

## test: everything CI runs
test: lint unit js-test wasm-repro go-user image-check fuzz-smoke site-test

## image-check: the Dockerfile's steps without a container engine: the build context (.dockerignore),
## the build stage in a copy of it, the static binary, the image's command as its user (docs/deploy.md)
image-check:
	$(GO) run ./internal/cmd/imagecheck

## site: the citizen's page, a plain folder at build/site
site: build site-deps
	mkdir -p build
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

## xmlsec1: Debian's xmlsec1, the oracle of the XML canonicalisation and reference digest tests (apt-get; CI runs as root)
xmlsec1:
	scripts/xmlsec1.sh

## lint: go vet, gofmt, staticcheck, and no build output in git (internal/cmd/trackedfiles)
lint:
	$(GO) run ./internal/cmd/trackedfiles
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) tool staticcheck ./...

# The wasm tests build the module from source themselves (internal/wasmbuild);
# `wasm` first makes the CLI's embed current too.
unit: wasm interop-deps xmlsec1
	$(GO) test -count=1 ./...

## interop-deps: independent implementations the interop tests drive (npm ci, committed lockfiles)
interop-deps:
	cd interop/statuslist && npm ci --no-audit --no-fund --loglevel=error
	cd interop/sdjwt && npm ci --no-audit --no-fund --loglevel=error

## js-test: the ES module under Node: same report bytes as the Go host on the whole corpus; signed trust with the demo world
js-test: build
	$(GO) run ./internal/cmd/wasmfixtures -module $(BIN)/apostille.wasm -o build/js-fixtures.json
	rm -rf build/js-demo
	$(BIN)/apostille demo build/js-demo >/dev/null
	$(BIN)/apostille trust keygen --out build/js-demo/other >/dev/null
	cd wasm/js && npm ci --no-audit --no-fund --loglevel=error && node --test test/

fuzz-smoke:
	scripts/fuzz.sh $(FUZZSMOKE)

## fuzz: every fuzz target for FUZZTIME each
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

## bench: documents/s native vs module (with and without host crypto) and single Go operations native vs module (wasmbench), then every Go benchmark; results go to docs/PERFORMANCE.md by hand
bench: wasm
	$(GO) run ./internal/cmd/wasmbench
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(MAKE) bench-site

## bench-bulk: 100,000 mixed documents as JSON Lines through bin/apostille: count, order, verdicts, peak RSS
bench-bulk: build
	$(GO) run ./internal/cmd/bulkcheck -apostille $(BIN)/apostille -n 100000

## bench-serve: apostille serve under load on loopback against apostille verify's bulk
## throughput on the same documents, then at twice its capacity on one CPU (about 4
## minutes; docs/PERFORMANCE.md)
bench: bench-serve
bench-serve: build
	$(GO) run ./internal/cmd/servebench -bin $(BIN)/apostille
	$(GO) run ./internal/cmd/servebench -bin $(BIN)/apostille -overload 20s

## profile: where the module spends its time on each format of the mix, sampled by Linux perf at full speed
## (wasmprof -sample; needs perf and leave to use it, kernel.perf_event_paranoid <= 2; docs/PERFORMANCE.md)
profile:
	$(GO) run -tags perfmap ./internal/cmd/wasmprof -sample

## docs: regenerate generated documentation
docs:
	$(GO) generate ./verifier

clean:
	rm -rf bin build wasm/js/apostille.wasm wasm/js/node_modules
