# reference/lib: the shared runtime, built as one static library.
LIB_SRCS := $(sort $(wildcard reference/lib/src/*.c))
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))

$(BUILD)/lib/libhito.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# One cmocka binary per tests/test_<module>.c.
$(foreach t,$(sort $(wildcard reference/lib/tests/test_*.c)),\
  $(eval $(call unit_test,lib_$(basename $(notdir $(t))),$(t))))

# Integration tests (tests/integration/it_<module>.c) run against the stack of
# HITO_ENV; `make integration` builds and runs them.
define lib_integration_test
$(BUILD)/tests/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(2)) $(BUILD)/lib/libhito.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $$(shell pkg-config --libs cmocka) $$(LDLIBS)
INTEGRATION_TESTS += $(BUILD)/tests/$(1)
LIB_INTEGRATION_TESTS += $(BUILD)/tests/$(1)
endef
LIB_INTEGRATION_TESTS :=
$(foreach t,$(sort $(wildcard reference/lib/tests/integration/it_*.c)),\
  $(eval $(call lib_integration_test,lib_$(basename $(notdir $(t))),$(t))))
integration: $(LIB_INTEGRATION_TESTS)

# Loopback benchmark of httpd and httpc; the figures go to reports/bench/.
$(eval $(call program,lib-bench-http,reference/lib/bench/bench_http.c))

##@ Benchmarks, load and fuzzing
.PHONY: bench-lib-http
bench-lib-http: setup-quiet $(BUILD)/bin/lib-bench-http ## Measure httpd+httpc requests/s and latency on loopback (reports/bench/lib-http.txt)
	@mkdir -p reports/bench
	@{ echo "# $$(date -u +%FT%TZ), $$(nproc) CPUs, $$(uname -srm), build $(BUILD)"; \
	   $(BUILD)/bin/lib-bench-http; } | tee reports/bench/lib-http.txt
