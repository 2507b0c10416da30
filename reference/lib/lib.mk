# reference/lib: the shared runtime, built as one static library.
LIB_SRCS := $(sort $(wildcard reference/lib/src/*.c))
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))

$(BUILD)/lib/libhito.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# One cmocka binary per tests/test_<module>.c.
$(foreach t,$(sort $(wildcard reference/lib/tests/test_*.c)),\
  $(eval $(call unit_test,lib_$(basename $(notdir $(t))),$(t))))
