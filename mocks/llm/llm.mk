# The OpenAI-compatible chat-completions emulator for tests and the local stack.
$(eval $(call program,llm-mock,mocks/llm/llm_mock.c mocks/llm/main.c))
