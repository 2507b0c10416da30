# mocks/zitadel: hito-zitadel-emulator, an emulator of ZITADEL v2.40's HTTP
# API (OIDC, Management, Admin, session v2beta) for the local stack and tests.

ZITADEL_EMU_DIR := mocks/zitadel
ZITADEL_EMU_LIB_SRCS := $(filter-out $(ZITADEL_EMU_DIR)/src/main.c,\
	$(sort $(wildcard $(ZITADEL_EMU_DIR)/src/*.c)))

$(BUILD)/obj/$(ZITADEL_EMU_DIR)/tests/%.o: ALL_CFLAGS += -I$(ZITADEL_EMU_DIR)/src

$(eval $(call program,hito-zitadel-emulator,\
	$(ZITADEL_EMU_LIB_SRCS) $(ZITADEL_EMU_DIR)/src/main.c,-lduktape))

# One cmocka binary per tests/test_<module>.c, linked with the emulator's modules.
$(foreach t,$(sort $(wildcard $(ZITADEL_EMU_DIR)/tests/test_*.c)),\
  $(eval $(call unit_test,zitadel_emulator_$(basename $(notdir $(t))),\
    $(t) $(ZITADEL_EMU_LIB_SRCS),-lduktape)))

# The integration test starts the built emulator on an ephemeral loopback
# port with its own state folder, so it needs no running stack.
ZITADEL_EMU_IT := $(BUILD)/tests/zitadel_emulator_integration
$(ZITADEL_EMU_IT): $(BUILD)/obj/$(ZITADEL_EMU_DIR)/tests/integration_zitadel.o \
		$(BUILD)/lib/libhito.a | $(BUILD)/bin/hito-zitadel-emulator
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.o %.a,$^) $(shell pkg-config --libs cmocka) $(LDLIBS)
INTEGRATION_TESTS += $(ZITADEL_EMU_IT)
BINS += $(ZITADEL_EMU_IT)

##@ Identity
.PHONY: zitadel-emulator
zitadel-emulator: $(BUILD)/bin/hito-zitadel-emulator ## Build the ZITADEL v2.40 emulator
