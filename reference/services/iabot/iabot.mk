# IA bot: the language core (domain/), ports, adapters, the service program,
# tests and the benchmark.
IABOT_DIR := reference/services/iabot
IABOT_DOMAIN := $(sort $(wildcard $(IABOT_DIR)/domain/*.c))
IABOT_ADAPTERS := $(sort $(wildcard $(IABOT_DIR)/adapters/*/*.c))
IABOT_APP := $(filter-out $(IABOT_DIR)/app/main.c,$(sort $(wildcard $(IABOT_DIR)/app/*.c)))
IABOT_LIBS := -lutf8proc -lstemmer -luuid

$(BUILD)/obj/$(IABOT_DIR)/%.o: ALL_CFLAGS += -I$(IABOT_DIR)/domain -I$(IABOT_DIR)/ports \
	-I$(IABOT_DIR)/adapters -I$(IABOT_DIR)/app -I$(IABOT_DIR)/tests

$(eval $(call program,iabot,$(IABOT_DOMAIN) $(IABOT_ADAPTERS) $(IABOT_APP) \
	$(IABOT_DIR)/app/main.c,$(IABOT_LIBS)))

# Unit tests (tests/test_*.c): the domain, adapters and app without servers,
# with the in-memory ports of tests/iabot_fakes.c.
$(foreach t,$(sort $(wildcard $(IABOT_DIR)/tests/test_*.c)),\
  $(eval $(call unit_test,iabot_$(basename $(notdir $(t))),\
    $(t) $(IABOT_DOMAIN) $(IABOT_ADAPTERS) $(IABOT_APP) $(IABOT_DIR)/tests/iabot_fakes.c,\
    $(IABOT_LIBS))))

# Integration tests (tests/itest_*.c): the whole service against the
# PostgreSQL of the running stack and an in-process LLM emulator.
define iabot_integration_test
$(BUILD)/tests/iabot_$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(2)) $(BUILD)/lib/libhito.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $(IABOT_LIBS) $$(shell pkg-config --libs cmocka) $$(LDLIBS)
INTEGRATION_TESTS += $(BUILD)/tests/iabot_$(1)
BINS += $(BUILD)/tests/iabot_$(1)
endef
$(foreach t,$(sort $(wildcard $(IABOT_DIR)/tests/itest_*.c)),\
  $(eval $(call iabot_integration_test,$(basename $(notdir $(t))),\
    $(t) $(IABOT_DOMAIN) $(IABOT_ADAPTERS) $(IABOT_APP) mocks/llm/llm_mock.c)))

$(eval $(call program,iabot-bench,$(IABOT_DIR)/bench/bench_iabot.c $(IABOT_DOMAIN),$(IABOT_LIBS)))

##@ Benchmarks, load and fuzzing
.PHONY: bench-iabot
bench-iabot: setup-quiet $(BUILD)/bin/iabot-bench ## Benchmark the IA bot's classifier against scikit-learn (reports/bench/)
	@$(IABOT_DIR)/bench/run $(BUILD)/bin/iabot-bench
