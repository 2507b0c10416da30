# checkpoints/: the checkpoint runner (hito-checkpoint), the checkpoint
# definitions (phases.c), the target profiles and the runner's tests.
# Scenarios live in scenarios/<area>/*.c.

CHECKPOINT_RUNNER_SRCS := $(filter-out checkpoints/runner/main.c,\
	$(sort $(wildcard checkpoints/runner/*.c)))
CHECKPOINT_SCENARIO_SRCS := $(sort $(wildcard scenarios/*/*.c))
CHECKPOINT_SRCS := checkpoints/runner/main.c checkpoints/phases.c $(CHECKPOINT_RUNNER_SRCS) \
	$(CHECKPOINT_SCENARIO_SRCS)
CHECKPOINT_LIBS := -lutf8proc
CHECKPOINT := $(BUILD)/bin/hito-checkpoint

$(eval $(call program,hito-checkpoint,$(CHECKPOINT_SRCS),$(CHECKPOINT_LIBS)))

# Unit tests link the recording, report, gate and target modules; only
# test_phases and test_runner link the phase table and every scenario.
CHECKPOINT_CORE_SRCS := $(filter-out checkpoints/runner/runner.c,$(CHECKPOINT_RUNNER_SRCS))
CHECKPOINT_FULL_TESTS := checkpoints/tests/test_phases.c checkpoints/tests/test_runner.c
CHECKPOINT_TEST_LIBS := $(CHECKPOINT_LIBS) $(shell pkg-config --libs libxml-2.0)
$(foreach t,$(filter-out $(CHECKPOINT_FULL_TESTS),$(sort $(wildcard checkpoints/tests/test_*.c))),\
  $(eval $(call unit_test,checkpoint_$(basename $(notdir $(t))),\
    $(t) $(CHECKPOINT_CORE_SRCS),$(CHECKPOINT_TEST_LIBS))))
$(foreach t,$(CHECKPOINT_FULL_TESTS),\
  $(eval $(call unit_test,checkpoint_$(basename $(notdir $(t))),\
    $(t) checkpoints/runner/runner.c checkpoints/phases.c $(CHECKPOINT_CORE_SRCS) \
    $(CHECKPOINT_SCENARIO_SRCS),$(CHECKPOINT_TEST_LIBS))))
$(BUILD)/obj/checkpoints/%.o $(BUILD)/obj/scenarios/%.o: ALL_CFLAGS += -Icheckpoints
$(BUILD)/obj/checkpoints/tests/%.o: ALL_CFLAGS += $(shell pkg-config --cflags libxml-2.0)

# Runs checkpoint 1 with Redis stopped and expects a failure naming Redis.
INTEGRATION_TESTS += checkpoints/tests/redis-outage-test

CHECKPOINT_ARGS = --target $(TARGET) $(if $(filter 1 yes true,$(FORCE)),--force)

##@ Checkpoints (TARGET=local|compose|FILE, FORCE=1)
.PHONY: checkpoints reports-index
checkpoint-%: setup-quiet $(CHECKPOINT) ## Run checkpoint N (make checkpoint-1)
	@$(CHECKPOINT) run $* $(CHECKPOINT_ARGS)

checkpoints: ## Set up, build, start the stack (TARGET=local) and run every checkpoint in order
	@SAN=$(SAN) checkpoints/run-all "$(CHECKPOINT)" $(CHECKPOINT_ARGS)

reports-index: $(CHECKPOINT) ## Rebuild reports/index.html from the reports on disk
	@$(CHECKPOINT) index
