# IA bot: the language core (domain/), its tests and benchmark, and the service.
IABOT_DIR := reference/services/iabot
IABOT_DOMAIN := $(sort $(wildcard $(IABOT_DIR)/domain/*.c))
IABOT_LIBS := -lutf8proc -lstemmer

# One cmocka binary per tests/test_<module>.c, linked with the domain.
$(foreach t,$(sort $(wildcard $(IABOT_DIR)/tests/test_*.c)),\
  $(eval $(call unit_test,iabot_$(basename $(notdir $(t))),$(t) $(IABOT_DOMAIN),$(IABOT_LIBS))))

$(eval $(call program,iabot-bench,$(IABOT_DIR)/bench/bench_iabot.c $(IABOT_DOMAIN),$(IABOT_LIBS)))

.PHONY: bench-iabot
bench-iabot: setup-quiet $(BUILD)/bin/iabot-bench ## Benchmark the IA bot's classifier against scikit-learn (reports/bench/)
	@$(IABOT_DIR)/bench/run $(BUILD)/bin/iabot-bench
