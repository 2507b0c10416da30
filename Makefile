# hito: checkpoint suite and reference implementation of the platform.
# `make help` lists the targets. Component fragments (*.mk) add their own
# programs, tests and targets; this file holds what they share.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Environment profile: stack/settings/$(HITO_ENV).env and run/$(HITO_ENV)/.
HITO_ENV ?= dev
export HITO_ENV
# Checkpoint target: local (the stack of $(HITO_ENV)), compose, or a profile file.
TARGET ?= local
# FORCE=1 runs a checkpoint even when an earlier one has not passed.
FORCE ?=

ROOT := $(abspath .)
TOOLS_BIN := $(ROOT)/tools/bin
export PATH := $(TOOLS_BIN):$(PATH)

# Build flavours: the default build, and SAN=1 for AddressSanitizer and
# UndefinedBehaviorSanitizer (used by `make test`).
SAN ?=
ifeq ($(SAN),1)
BUILD ?= build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build/default
SAN_FLAGS :=
endif

CC ?= cc
PKGS := libcurl jansson libpq hiredis librabbitmq libjwt openssl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) \
	$(SAN_FLAGS) -Ireference/lib/include $(PKG_CFLAGS) -MMD -MP
LDLIBS := $(PKG_LIBS) -lcivetweb -lpthread -lm

# Filled by the fragments: programs and unit-test binaries.
BINS :=
TESTS :=
# Integration test binaries: run by `make integration` against a running stack.
INTEGRATION_TESTS :=

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# $(call program,NAME,SOURCES,EXTRA_LIBS): links $(BUILD)/bin/NAME from
# SOURCES and libhito.a.
define program
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(2)) $(BUILD)/lib/libhito.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $(3) $$(LDLIBS)
BINS += $(BUILD)/bin/$(1)
endef

# $(call unit_test,NAME,SOURCES,EXTRA_LIBS): a cmocka test binary that
# `make unit` runs.
define unit_test
$(BUILD)/tests/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(2)) $(BUILD)/lib/libhito.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $(3) $$(shell pkg-config --libs cmocka) $$(LDLIBS)
TESTS += $(BUILD)/tests/$(1)
endef

include reference/lib/lib.mk
FRAGMENTS := $(filter-out reference/lib/lib.mk,$(sort $(wildcard */*.mk */*/*.mk */*/*/*.mk)))
include $(FRAGMENTS)

##@ Set-up
.PHONY: setup
setup: ## Install missing Debian packages and pinned tools (idempotent)
	@scripts/setup

##@ Build
.PHONY: build
build: setup-quiet $(BINS) ## Build every program
	@true

.PHONY: setup-quiet
setup-quiet:
	@scripts/setup --quiet

.PHONY: clean
clean: ## Remove build output (not run data or reports)
	rm -rf build

##@ Tests
.PHONY: test
test: ## Run everything: unit tests, config checks, integration tests and checkpoints on the test stack
	@scripts/test

.PHONY: integration
integration: ## Run the integration tests against the running stack of HITO_ENV
	@scripts/run-integration-tests $(INTEGRATION_TESTS)

.PHONY: unit
unit: setup-quiet $(TESTS) ## Run the unit tests (cmocka) of the current build
	@scripts/run-unit-tests $(TESTS)

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} \
	  /^##@/ { section = substr($$0, 5); if (!(section in seen)) { seen[section] = 1; order[++n] = section }; next } \
	  /^[a-zA-Z0-9_%-]+:.*## / { lines[section] = lines[section] sprintf("  %-22s %s\n", $$1, $$2) } \
	  END { for (i = 1; i <= n; i++) printf "\n%s\n%s", order[i], lines[order[i]] }' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: HITO_ENV=$(HITO_ENV) TARGET=$(TARGET) FORCE=1 SAN=1"

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
