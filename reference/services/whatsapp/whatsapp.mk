# The WhatsApp service: domain (no I/O), ports, adapters and the program.
WA_DIR := reference/services/whatsapp
WA_DOMAIN_SRCS := $(sort $(wildcard $(WA_DIR)/domain/*.c))
WA_ADAPTER_SRCS := $(sort $(wildcard $(WA_DIR)/adapters/*/*.c))
# Everything of app/ but main.c, so tests can start the whole service.
WA_APP_SRCS := $(filter-out $(WA_DIR)/app/main.c,$(sort $(wildcard $(WA_DIR)/app/*.c)))
WA_FIXTURES := $(WA_DIR)/tests/fixtures

$(BUILD)/obj/$(WA_DIR)/%.o: ALL_CFLAGS += -I$(WA_DIR)/ports -I$(WA_DIR)/domain \
	-I$(WA_DIR)/adapters -I$(WA_DIR)/app -I$(WA_DIR)/tests

ifneq ($(wildcard $(WA_DIR)/app/main.c),)
$(eval $(call program,whatsapp,$(WA_DOMAIN_SRCS) $(WA_ADAPTER_SRCS) $(WA_APP_SRCS) \
	$(WA_DIR)/app/main.c))
endif

# Unit tests: the domain alone, with fake ports where it needs them.
$(foreach t,$(sort $(wildcard $(WA_DIR)/tests/test_*.c)),\
  $(eval $(call unit_test,whatsapp_$(patsubst test_wa_%,%,$(basename $(notdir $(t)))),\
    $(t) $(WA_DOMAIN_SRCS))))

# Integration tests (itest_*.c): the running stack's PostgreSQL, RabbitMQ,
# WhatsApp service and Cloud API emulator.
define wa_integration_test
$(BUILD)/tests/whatsapp_$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(2)) $(BUILD)/lib/libhito.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $$(shell pkg-config --libs cmocka) $$(LDLIBS)
INTEGRATION_TESTS += $(BUILD)/tests/whatsapp_$(1)
BINS += $(BUILD)/tests/whatsapp_$(1)
endef
$(BUILD)/obj/$(WA_DIR)/tests/itest_%.o: ALL_CFLAGS += -Ireference/lib/tests
$(foreach t,$(sort $(wildcard $(WA_DIR)/tests/itest_*.c)),\
  $(eval $(call wa_integration_test,$(basename $(notdir $(t))),\
    $(t) $(WA_DOMAIN_SRCS))))
