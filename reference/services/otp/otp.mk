# The OTP service: domain (no I/O), ports, adapters and the program.
OTP_DIR := reference/services/otp
OTP_DOMAIN_SRCS := $(sort $(wildcard $(OTP_DIR)/domain/*.c))
OTP_ADAPTER_SRCS := $(sort $(wildcard $(OTP_DIR)/adapters/*/*.c))
OTP_TEST_SUPPORT := $(OTP_DIR)/tests/otp_fakes.c

$(BUILD)/obj/$(OTP_DIR)/%.o: ALL_CFLAGS += -I$(OTP_DIR)/ports -I$(OTP_DIR)/domain \
	-I$(OTP_DIR)/adapters -I$(OTP_DIR)/app -I$(OTP_DIR)/tests

# What another service links to check OTP proofs (otp_proof_verify), with
# -I$(OTP_DIR)/domain -I$(OTP_DIR)/ports.
OTP_PROOF_SRCS := $(OTP_DIR)/domain/otp_proof.c

# Everything of app/ but main.c, so tests can start the whole service.
OTP_APP_SRCS := $(filter-out $(OTP_DIR)/app/main.c,$(sort $(wildcard $(OTP_DIR)/app/*.c)))

$(eval $(call program,otp,$(OTP_DOMAIN_SRCS) $(OTP_ADAPTER_SRCS) $(OTP_APP_SRCS) \
	$(OTP_DIR)/app/main.c))

# Unit tests: the domain with fake ports, settings and the WhatsApp message.
$(foreach t,$(sort $(wildcard $(OTP_DIR)/tests/test_*.c)),\
  $(eval $(call unit_test,otp_$(patsubst test_otp_%,%,$(basename $(notdir $(t)))),\
    $(t) $(OTP_DOMAIN_SRCS) $(OTP_TEST_SUPPORT) $(OTP_DIR)/app/otp_settings.c \
    $(OTP_DIR)/adapters/whatsapp/otp_whatsapp.c)))

# The integration tests reuse reference/lib's RSA and JWKS test fixtures.
$(BUILD)/obj/$(OTP_DIR)/tests/itest_%.o: ALL_CFLAGS += -Ireference/lib/tests

# Integration tests (itest_*.c): real Redis and PostgreSQL of the running
# stack, a fake WhatsApp service on an ephemeral loopback port.
define otp_integration_test
$(BUILD)/tests/otp_$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(2)) $(BUILD)/lib/libhito.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $$(shell pkg-config --libs cmocka) $$(LDLIBS)
INTEGRATION_TESTS += $(BUILD)/tests/otp_$(1)
BINS += $(BUILD)/tests/otp_$(1)
endef
$(foreach t,$(sort $(wildcard $(OTP_DIR)/tests/itest_*.c)),\
  $(eval $(call otp_integration_test,itest_$(patsubst itest_otp_%,%,$(basename $(notdir $(t)))),\
    $(t) $(OTP_DOMAIN_SRCS) $(OTP_ADAPTER_SRCS) $(OTP_TEST_SUPPORT) \
    $(OTP_DIR)/tests/otp_itest_env.c $(OTP_APP_SRCS))))
