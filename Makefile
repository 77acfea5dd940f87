# Backroom build and test toolchain. GNU make + bash.
#
#   make run               PostgreSQL (found or throwaway), migrate, seed, serve on :8080
#   make test              vet, generated-code check, unit/integration tests (-race), browser suite
#   make generate          templ -> *_templ.go, Tailwind -> static/css/app.css (+ .sum)
#   make check-generated   fails when generated files are stale (no Node needed)
#   make db / db-stop      write tmp/db.env / stop the throwaway cluster (.ci/db.sh says where it is)
#   make fuzz              run every Go fuzz target for FUZZTIME each (default 30s); make test runs their corpora
#   make bench | build | vet | chromium | install-shellcheck | clean

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

GO          ?= go
TEMPL       := $(GO) tool templ
TAILWIND    := npx --yes tailwindcss@3.4.19
CHROMIUM    ?= /usr/bin/chromium

SHELLCHECK  ?= shellcheck

TMP         := $(CURDIR)/tmp
DB_ENV      := $(TMP)/db.env

# Loads tmp/db.env into the recipe's environment (line by line, so URLs with & or ? are safe).
LOAD_DB_ENV = while IFS= read -r line || [ -n "$$line" ]; do [ -n "$$line" ] && export "$$line"; done < "$(DB_ENV)"

# sha256 over everything the built CSS depends on besides Go code: the Tailwind config, the
# CSS source and every views/**/*.templ (sorted by path). Paths are part of the digest.
CSS_SUM = { sha256sum tailwind.config.js static/css/input.css; \
	if [ -d views ]; then find views -type f -name '*.templ' -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum; fi; \
	} | sha256sum | cut -d' ' -f1

.PHONY: help db db-stop build run generate templ css css-sum check-generated vet chromium install-shellcheck test fuzz bench clean

help:
	@sed -n '3,8p' $(firstword $(MAKEFILE_LIST)) | sed 's/^# \{0,1\}//'

# ---------------------------------------------------------------------------------------------
# Database

db:
	@.ci/db.sh start

db-stop:
	@.ci/db.sh stop

# ---------------------------------------------------------------------------------------------
# Build and run

build:
	@mkdir -p bin
	$(GO) build -o bin/backroom ./cmd/backroom

run: db build
	@$(LOAD_DB_ENV)
	bin/backroom migrate
	bin/backroom seed
	exec bin/backroom serve

# ---------------------------------------------------------------------------------------------
# Generated code: templ and Tailwind output are committed, so go build needs neither.

generate: templ css

templ:
	@$(TEMPL) generate -log-level error -path views

css: templ
	@$(TAILWIND) -i static/css/input.css -o static/css/app.css --minify 2>&1 | { grep -v -i -E 'browserslist|Why you should do it regularly|^\s*$$' || true; } >&2
	$(MAKE) css-sum

css-sum:
	@$(CSS_SUM) > static/css/app.css.sum
	echo "static/css/app.css.sum: $$(cat static/css/app.css.sum)"

check-generated:
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT
	fail=0
	mkdir -p "$$tmp/committed"
	if [ -d views ]; then cp -r views "$$tmp/views"; cp -r views "$$tmp/committed/views"; else mkdir -p "$$tmp/views" "$$tmp/committed/views"; fi
	$(TEMPL) generate -log-level error -path "$$tmp/views" >"$$tmp/templ.log" 2>&1 || { cat "$$tmp/templ.log" >&2; echo "check-generated: templ generate failed" >&2; exit 1; }
	find "$$tmp/views" "$$tmp/committed/views" -type f ! -name '*_templ.go' -delete
	if ! diff -r "$$tmp/committed/views" "$$tmp/views" > "$$tmp/templ.diff"; then
	  sed -e "s#$$tmp/committed/views#committed:views#g" -e "s#$$tmp/views#regenerated:views#g" "$$tmp/templ.diff" | head -n 40 >&2
	  echo "check-generated: views/**/*_templ.go are stale: run make generate" >&2
	  fail=1
	fi
	want="$$(cat static/css/app.css.sum 2>/dev/null || true)"
	got="$$($(CSS_SUM))"
	if [ "$$want" != "$$got" ]; then
	  echo "check-generated: static/css/app.css is stale (tailwind.config.js, input.css or a .templ changed; sum $${want:-missing} != $$got): run make generate" >&2
	  fail=1
	fi
	if [ "$$fail" = 0 ]; then echo "check-generated: templ and CSS are up to date"; fi
	exit "$$fail"

vet: install-shellcheck
	@echo "shellcheck .ci/*"
	$(SHELLCHECK) .ci/db.sh .ci/run
	echo "gofmt -l"
	unformatted="$$("$$($(GO) env GOROOT)/bin/gofmt" -l cmd app models seeds e2e | grep -v '_templ\.go$$' || true)"
	if [ -n "$$unformatted" ]; then printf '%s\n' "$$unformatted" >&2; echo "vet: these files are not gofmt-formatted: run gofmt -w on them" >&2; exit 1; fi
	echo "go vet ./..."
	$(GO) vet ./...

# ---------------------------------------------------------------------------------------------
# Tests

# Installs a Debian package with apt-get (through sudo when not root).
#   $(call apt_install,TARGET,PACKAGE)
define apt_install
	sudo=()
	if [ "$$(id -u)" != 0 ]; then
	  command -v sudo >/dev/null || { echo "make $(1): $(2) is missing; install it as root (apt-get install $(2))" >&2; exit 1; }
	  sudo=(sudo)
	fi
	echo "make $(1): installing $(2) with apt-get" >&2
	"$${sudo[@]}" apt-get update -qq
	"$${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null
endef

chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi
	$(call apt_install,chromium,chromium)
	[ -x "$(CHROMIUM)" ] || { echo "make chromium: apt-get did not install $(CHROMIUM)" >&2; exit 1; }

# make vet lints the repository's shell scripts (.ci/) with Debian's shellcheck.
install-shellcheck:
	@if command -v $(SHELLCHECK) >/dev/null; then exit 0; fi
	$(call apt_install,install-shellcheck,shellcheck)
	command -v $(SHELLCHECK) >/dev/null || { echo "make install-shellcheck: apt-get did not install shellcheck" >&2; exit 1; }

# Runs go test -v with the pass chatter filtered out; the full log is kept in tmp/. Prints the
# result line and every skipped test so nothing is skipped silently.
#   $(call gotest,LABEL,LOGFILE,ARGS...)
define gotest
	echo "== $(1): go test $(3)"
	set +e
	$(GO) test -v $(3) 2>&1 | tee "$(2)" | grep -v -E '^\s*(=== (RUN|PAUSE|CONT|NAME)|--- PASS)'
	rc=$${PIPESTATUS[0]}
	set -e
	skips="$$(grep -E '^\s*--- SKIP' "$(2)" || true)"
	fails="$$(grep -E '^(FAIL|--- FAIL|\s+--- FAIL|panic:)' "$(2)" || true)"
	npk="$$(grep -c -E '^ok ' "$(2)" || true)"
	summary+="$(1): $$([ $$rc = 0 ] && echo PASS || echo FAIL) ($$npk packages ok, $$(grep -c -E '^\s*--- PASS' "$(2)" || true) tests passed, $$(printf '%s' "$$skips" | grep -c . || true) skipped, log $(2))"$$'\n'
	[ -z "$$skips" ] || summary+="$$(printf '%s\n' "$$skips" | sed 's/^\s*/    /')"$$'\n'
	[ -z "$$fails" ] || summary+="$$(printf '%s\n' "$$fails" | sed 's/^\s*/    /' | head -n 40)"$$'\n'
	[ $$rc = 0 ] || status=1
endef

test: vet check-generated db
	@$(LOAD_DB_ENV)
	export TEST_DATABASE_URL
	unset DATABASE_URL
	summary=""; status=0
	pkgs="$$($(GO) list ./... | grep -v -E '/e2e(/|$$)')"
	$(call gotest,unit+integration,$(TMP)/test-unit.log,-p 2 -count=1 -race $$pkgs)
	if [ -n "$$($(GO) list ./e2e/... 2>/dev/null)" ]; then
	  $(MAKE) chromium
	  export BACKROOM_E2E=1 CHROMIUM_PATH="$(CHROMIUM)"
	  $(call gotest,e2e (chromium),$(TMP)/test-e2e.log,-count=1 -timeout 15m ./e2e/...)
	else
	  summary+="e2e (chromium): NO PACKAGES in ./e2e — the browser suite did not run"$$'\n'
	  status=1
	fi
	echo
	echo "==================== make test summary ===================="
	printf '%s' "$$summary"
	echo "database: $$TEST_DATABASE_URL"
	echo "==========================================================="
	[ $$status = 0 ] && echo "ALL PASSED" || echo "FAILED"
	exit $$status

# Every Fuzz* target in the module, each for FUZZTIME; new failing inputs land in the package's
# testdata/fuzz/ (commit them: make test then runs them as regression cases).
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./app/... ./models/...); do
	  for target in $$($(GO) test -list '^Fuzz' "$$pkg" | grep '^Fuzz' || true); do
	    echo "== fuzz $$target ($$pkg) for $(FUZZTIME)"
	    $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime "$(FUZZTIME)" "$$pkg"
	  done
	done

bench: db
	@$(LOAD_DB_ENV)
	export DATABASE_URL TEST_DATABASE_URL
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	@.ci/db.sh clean
	rm -rf bin tmp coverage* *.out
	echo "make clean: removed bin/ and tmp/"
