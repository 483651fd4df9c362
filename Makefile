# Apostille. A newcomer needs two commands: `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin
DEMO  := build/demo
FUZZTIME ?= 60s
FUZZSMOKE ?= 3s

.PHONY: all build run test lint unit interop-deps fuzz fuzz-smoke bench bench-serve clean docs

all: build

## build: the command-line tool at bin/apostille
build:
	$(GO) build -trimpath -o $(BIN)/apostille ./cmd/apostille

## run: build the demo world and verify its documents
run: build
	rm -rf $(DEMO)
	$(BIN)/apostille demo $(DEMO)
	-$(BIN)/apostille verify --trust $(DEMO)/trust.json --format text $(DEMO)/documents

## test: everything CI runs
test: lint unit fuzz-smoke

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

## bench-serve: apostille serve under load on loopback against apostille verify's bulk
## throughput on the same documents (about 2 minutes; docs/PERFORMANCE.md)
bench: bench-serve
bench-serve: build
	$(GO) run ./internal/cmd/servebench -bin $(BIN)/apostille

## docs: regenerate generated documentation
docs:
	$(GO) generate ./verifier

clean:
	rm -rf bin build
