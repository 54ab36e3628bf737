# Goldsmith. `make demo` sets up and runs the main job; `make test` runs the tests.
GO      ?= go
BIN     ?= bin/goldsmith
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
FUZZTIME ?= 15s

.PHONY: setup build demo test bench fuzz

setup:
	./scripts/setup.sh

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/goldsmith

# The main job. Until VM builds land, it runs the example component with the runner.
demo: setup build
	$(BIN) toe run --documents examples/components/hello-world.yaml --parameters Greeting=Goldsmith --log-directory /tmp/goldsmith-demo

test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	$(MAKE) fuzz

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/component/

bench:
	./scripts/bench.sh
