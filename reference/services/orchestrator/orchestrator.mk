# The orchestrator: domain (no I/O), ports, adapters and the program.
ORCH_DIR := reference/services/orchestrator
ORCH_DOMAIN_SRCS := $(sort $(wildcard $(ORCH_DIR)/domain/*.c))
ORCH_ADAPTER_SRCS := $(sort $(wildcard $(ORCH_DIR)/adapters/*/*.c))
ORCH_APP_SRCS := $(filter-out $(ORCH_DIR)/app/main.c,$(sort $(wildcard $(ORCH_DIR)/app/*.c)))
ORCH_TEST_SUPPORT := $(ORCH_DIR)/tests/orch_fakes.c

$(BUILD)/obj/$(ORCH_DIR)/%.o: ALL_CFLAGS += -I$(ORCH_DIR)/ports -I$(ORCH_DIR)/domain \
	-I$(ORCH_DIR)/adapters -I$(ORCH_DIR)/app -I$(ORCH_DIR)/tests

ifneq ($(wildcard $(ORCH_DIR)/app/main.c),)
$(eval $(call program,orchestrator,$(ORCH_DOMAIN_SRCS) $(ORCH_ADAPTER_SRCS) \
	$(ORCH_APP_SRCS) $(ORCH_DIR)/app/main.c))
endif

# Unit tests: the state machine and the use cases with fake ports, and the
# adapters' parsing and encoding (no server needed).
$(foreach t,$(sort $(wildcard $(ORCH_DIR)/tests/test_*.c)),\
  $(eval $(call unit_test,orchestrator_$(patsubst test_orch_%,%,$(basename $(notdir $(t)))),\
    $(t) $(ORCH_DOMAIN_SRCS) $(ORCH_ADAPTER_SRCS) $(ORCH_TEST_SUPPORT))))

# The client's test serves HTTP in-process with reference/lib's helpers.
$(BUILD)/obj/$(ORCH_DIR)/tests/test_orch_client.o: ALL_CFLAGS += -Ireference/lib/tests

# Integration tests (itest_*.c): the adapters and the worker against the
# running stack's PostgreSQL, Redis and RabbitMQ.
define orch_integration_test
$(BUILD)/tests/orchestrator_$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(2)) $(BUILD)/lib/libhito.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $$(shell pkg-config --libs cmocka) $$(LDLIBS)
INTEGRATION_TESTS += $(BUILD)/tests/orchestrator_$(1)
BINS += $(BUILD)/tests/orchestrator_$(1)
endef
$(foreach t,$(sort $(wildcard $(ORCH_DIR)/tests/itest_*.c)),\
  $(eval $(call orch_integration_test,itest_$(patsubst itest_orch_%,%,$(basename $(notdir $(t)))),\
    $(t) $(ORCH_DOMAIN_SRCS) $(ORCH_ADAPTER_SRCS) $(ORCH_DIR)/app/orch_settings.c \
    $(ORCH_DIR)/app/orch_worker.c $(ORCH_DIR)/tests/orch_itest_env.c $(ORCH_TEST_SUPPORT))))
