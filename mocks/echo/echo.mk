# mocks/echo: the echo backend that stands in for the platform's services
# behind the gateway until they exist.
ECHO_SRCS := mocks/echo/src/echo.c

$(eval $(call program,echo-backend,$(ECHO_SRCS) mocks/echo/src/main.c))
$(eval $(call unit_test,echo,$(ECHO_SRCS) mocks/echo/tests/test_echo.c))

$(BUILD)/obj/mocks/echo/%.o: ALL_CFLAGS += -Imocks/echo/src
