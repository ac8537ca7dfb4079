# netviz — see README.md. `make demo` and `make test` install what they need.

GO       ?= go
BIN      := bin/netviz
TEMPL    := $(GO) tool templ
# Integration and browser tests start real agents; give slow machines room.
TEST_TIMEOUT ?= 40m

.PHONY: all build deps tools generate check-generate vet test test-unit demo clean

all: build

## deps: Debian packages (CNI plugins, iproute2, iptables, python3, chromium)
deps:
	@bash scripts/deps.sh

## tools: Nomad v1.6.2 and Consul v1.14.11, built once into ~/.cache/netviz/bin
tools: deps
	@bash scripts/tools.sh >/dev/null

## generate: regenerate templ components
generate:
	$(TEMPL) generate -path views

## check-generate: fail when the committed *_templ.go files are stale
check-generate:
	@$(TEMPL) generate -path views >/dev/null
	@if [ -n "$$(git status --porcelain -- views)" ]; then \
	  echo "templ generate changed files under views/; run 'make generate' and commit:"; \
	  git status --porcelain -- views; exit 1; fi

build:
	$(GO) build -o $(BIN) ./cmd/netviz

## vet: also the files behind the integration tag
vet:
	$(GO) vet -tags integration ./...
	$(GO) vet -tags demo ./cmd/netviz
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'))" || \
	  { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'); exit 1; }

## test: everything — unit, integration against a real cluster, browser end-to-end
## (the tests behind the integration tag need root, the tools and chromium)
test: tools check-generate vet
	$(GO) test -race -count=1 -tags integration -timeout $(TEST_TIMEOUT) ./...

## test-unit: every package without the integration tag: no cluster, root or browser
test-unit:
	$(GO) test -race -count=1 ./...

## scale: the scale harness (internal/scale, docs/perf.md "Collector at scale"):
## a real Nomad agent with SCALE_ALLOCS mock_driver allocations, netviz's sync
## against the floor, then every job updated at once; needs root, ~30 minutes.
## More flags: SCALE_FLAGS='-scale.event-buffer=10' (see internal/scale)
SCALE_ALLOCS ?= 7000
.PHONY: scale
scale: tools
	$(GO) test -tags scale -run 'TestScale$$' -v -count=1 -timeout 60m ./internal/scale/ -scale.allocs=$(SCALE_ALLOCS) $(SCALE_FLAGS)

## scale-web: the same cluster served by netviz: every page's size and time,
## and push latency to 1 and 100 open overviews (docs/perf.md, "Pages and
## pushes at scale"); needs root and chromium, ~15 minutes.
.PHONY: scale-web
scale-web: tools
	$(GO) test -tags scale -run TestScaleWeb -v -count=1 -timeout 60m ./internal/scale/ -scale.allocs=$(SCALE_ALLOCS) $(SCALE_FLAGS)

## demo: a local cluster with the example jobs, and the dashboard on it.
## The demo's cluster code is linked only under -tags demo, never into bin/netviz.
demo: tools
	$(GO) build -tags demo -o bin/netviz-demo ./cmd/netviz
	./bin/netviz-demo demo

clean:
	rm -rf bin
