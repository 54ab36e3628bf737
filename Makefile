# Goldsmith. `make demo` sets up and runs the main job; `make test` sets up
# the test tools (PostgreSQL, MinIO, the AWS CLI) and runs the tests.
GO      ?= go
BIN     ?= bin/goldsmith
# The guest agent, built first and embedded by goldsmith (docs/build.md).
AGENT   := internal/agentbin/files/goldsmith-agent
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
FUZZTIME ?= 15s

.PHONY: setup setup-test build agent demo test bench fuzz

# What the main job needs: QEMU and the base image tools.
setup:
	./scripts/setup.sh

# What the tests need besides: PostgreSQL, the AWS CLI, MinIO. Quick when
# everything is installed.
setup-test:
	./scripts/setup-test.sh

build: agent
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/goldsmith

# Stripped (-s -w): it goes into every build machine. Always rebuilt, so
# goldsmith never embeds a stale one.
agent:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(AGENT) ./cmd/goldsmith-agent

# The main job: build, boot-test and convert the reference golden image.
demo: setup build
	$(BIN) build -f examples/reference-recipe.yaml -o out/reference

# Packages that boot VMs run two at a time: a TCG guest rarely keeps both
# cores busy (boots wait on I/O and timers), so two packages side by side
# took 853 s (with one more test) where one at a time took 1,088 s.
VM_PKGS := ./internal/baseimage/... ./internal/machine/... ./internal/workflow/... ./internal/buildjob/...

test: setup-test
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m $$($(GO) list ./... | grep -v -e /internal/baseimage -e /internal/machine -e /internal/workflow -e /internal/buildjob)
	$(GO) test -count=1 -timeout 40m -p 2 $(VM_PKGS)
	$(MAKE) fuzz

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/component/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/schedule/
	$(GO) test -run '^$$' -fuzz '^FuzzRequests$$' -fuzztime $(FUZZTIME) ./internal/api/

bench: setup-test
	./scripts/bench.sh
