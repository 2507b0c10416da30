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

# The webhook parser's libFuzzer target, built with clang apart from the
# rest; FUZZ_SECONDS bounds a run.
FUZZ_SECONDS ?= 20
WA_FUZZ_BIN := build/fuzz/whatsapp_webhook
WA_FUZZ_SRCS := $(WA_DIR)/fuzz/fuzz_webhook.c $(WA_DIR)/domain/wa_webhook.c \
	$(WA_DIR)/domain/wa_status.c $(WA_DIR)/domain/wa_event.c $(WA_DIR)/domain/wa_message.c \
	reference/lib/src/err.c reference/lib/src/json_guard.c

$(WA_FUZZ_BIN): $(WA_FUZZ_SRCS) $(wildcard $(WA_DIR)/domain/*.h)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Ireference/lib/include -I$(WA_DIR)/domain -I$(WA_DIR)/ports \
		$(WA_FUZZ_SRCS) -o $@ $$(pkg-config --libs jansson libcrypto)

##@ Benchmarks, load and fuzzing
.PHONY: fuzz-whatsapp
fuzz-whatsapp: $(WA_FUZZ_BIN) ## Fuzz the WhatsApp webhook parser for FUZZ_SECONDS (default 20)
	@rm -rf build/fuzz/corpus-webhook && mkdir -p build/fuzz/corpus-webhook
	@cp $(WA_FIXTURES)/webhook/valid/*.json build/fuzz/corpus-webhook/
	@$(WA_FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-print_final_stats=1 build/fuzz/corpus-webhook > build/fuzz/whatsapp_webhook.log 2>&1 \
		|| { tail -n 60 build/fuzz/whatsapp_webhook.log; exit 1; }
	@grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' build/fuzz/whatsapp_webhook.log
