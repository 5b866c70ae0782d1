# secgate — make help lists the targets.

GO          ?= go
BIN         ?= bin/secgate
# OPA's server with secgate's builtins, beside secgate: secgate opa run
# finds it there.
OPA_BIN     ?= $(dir $(BIN))secgate-opa
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.7.0
FUZZTIME    ?= 20000x
# Go minimizes every new interesting input and every crasher, for up to
# 60 s each by default: a slow input could take a whole target's budget.
# A duration (a minimization cut short keeps the smallest input found so
# far); FUZZ_PKGS narrows the run (make fuzz FUZZ_PKGS=./ingest/sarif).
FUZZMINIMIZETIME ?= 10s
FUZZ_PKGS   ?= ./...
BENCH_N     ?= 100000
BENCH_DIR   ?= bench/out
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# Extra Go build tags for bin/secgate (none by default).
BUILD_TAGS  ?=

.PHONY: build
build: ## build bin/secgate and bin/secgate-opa (OPA's server, for secgate opa run)
	$(GO) build -trimpath -tags "$(BUILD_TAGS)" -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/secgate
	$(GO) build -trimpath -tags "$(BUILD_TAGS)" -o $(OPA_BIN) ./cmd/secgate-opa

# make dist: the release builds, one per platform, as archives in DIST_DIR
# (secgate and secgate-opa in each) with SHA256SUMS and a CycloneDX SBOM
# of secgate (tools/dist).
DIST_DIR       ?= dist
DIST_PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

.PHONY: dist
dist: ## release archives (secgate, secgate-opa) for linux, darwin, windows × amd64, arm64 in dist/, with SHA256SUMS and an SBOM
	rm -rf $(DIST_DIR)
	@set -e; for p in $(DIST_PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; if [ "$$os" = windows ]; then ext=.exe; fi; \
		echo "build $$os/$$arch"; \
		for cmd in secgate secgate-opa; do \
			CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -tags "$(BUILD_TAGS)" -ldflags "-s -w -X main.version=$(VERSION)" \
				-o $(DIST_DIR)/build/secgate_$(VERSION)_$${os}_$${arch}/$$cmd$$ext ./cmd/$$cmd; \
		done; \
	done
	$(GO) run ./tools/dist -version $(VERSION) -dir $(DIST_DIR) -add README.md -add SECURITY.md
	rm -rf $(DIST_DIR)/build

.PHONY: test
test: ## run every test (unit, golden, end-to-end, Rego)
	$(GO) test -count=1 ./...

# Every package whose tests link internal/testutil, the home of the -update
# flag and of every golden comparison.
GOLDEN_PKGS = $(shell $(GO) list -test -f '{{if eq .Name "main"}}{{.ImportPath}} {{join .Deps " "}}{{end}}' ./... | awk '/ github.com\/secgate\/secgate\/internal\/testutil( |$$)/ {sub(/\.test$$/, "", $$1); print $$1}' | sort -u)

.PHONY: update-golden
update-golden: ## rewrite golden files from the current code (review the diff!)
	$(GO) test -count=1 $(GOLDEN_PKGS) -update

# The packages whose code or tests start goroutines, and the commands,
# which run them together: tools/racepkgs finds them.
RACE_PKGS ?= $(shell $(GO) run ./tools/racepkgs)

.PHONY: race
# The race detector slows cmd/secgate's end-to-end tests several times
# over: past go test's default 10 minutes on a 2-core machine.
race: ## run the tests of the concurrent packages under the race detector
	$(GO) test -count=1 -race -timeout 30m $(RACE_PKGS)

.PHONY: lint
lint: ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each (a count, default 20000x, or a duration), minimizing an input for FUZZMINIMIZETIME at most (10s)
	@set -e; for pkg in $$($(GO) list $(FUZZ_PKGS)); do \
		dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
		for fn in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/^func //'); do \
			echo "fuzz $$pkg $$fn"; \
			$(GO) test $$pkg -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME); \
		done; \
	done

.PHONY: bench
bench: build ## generate large reports and print the speed figures the README quotes
	@mkdir -p $(BENCH_DIR)
	$(GO) run ./tools/benchgen trivy $(BENCH_N) $(BENCH_DIR)/trivy-$(BENCH_N).json
	$(GO) run ./tools/benchgen sarif $(BENCH_N) $(BENCH_DIR)/sarif-$(BENCH_N).sarif
	$(GO) run ./tools/benchgen trivy 50 $(BENCH_DIR)/trivy-50.json
	$(GO) build -o $(BENCH_DIR)/benchrun ./tools/benchrun
	$(BENCH_DIR)/benchrun -bin $(BIN) $(BENCH_DIR)/trivy-$(BENCH_N).json $(BENCH_DIR)/sarif-$(BENCH_N).sarif
	$(BENCH_DIR)/benchrun -bin $(BIN) -header=false -baseline=false -args check $(BENCH_DIR)/trivy-$(BENCH_N).json $(BENCH_DIR)/trivy-50.json
	$(BENCH_DIR)/benchrun -bin $(BIN) -header=false -baseline=false -args "check -o json" $(BENCH_DIR)/trivy-$(BENCH_N).json
	rm -f $(BENCH_DIR)/history.db*
	$(BENCH_DIR)/benchrun -bin $(BIN) -header=false -baseline=false -args "check --history $(BENCH_DIR)/history.db" $(BENCH_DIR)/trivy-$(BENCH_N).json
	@if [ -n "$$SECGATE_TEST_POSTGRES" ]; then \
		$(BENCH_DIR)/benchrun -bin $(BIN) -header=false -baseline=false -args "check --history $$SECGATE_TEST_POSTGRES" $(BENCH_DIR)/trivy-$(BENCH_N).json; \
	else echo "SECGATE_TEST_POSTGRES is not set: eval \"\$$(tools/pgtest/start.sh)\" to time recording into PostgreSQL too"; fi
	@if command -v conftest >/dev/null; then \
		$(BENCH_DIR)/benchrun -bin $$(command -v conftest) -header=false -baseline=false -args "test --no-color -p bench/conftest" $(BENCH_DIR)/trivy-$(BENCH_N).json $(BENCH_DIR)/trivy-50.json; \
	else echo "conftest is not on the PATH: go install github.com/open-policy-agent/conftest@v0.71.1 to compare"; fi
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./ingest/trivy ./ingest/sarif ./eval ./history

.PHONY: clean
clean: ## remove build and benchmark output
	rm -rf bin $(DIST_DIR) $(BENCH_DIR)
