# The WhatsApp Cloud API emulator for tests and the local stack.
WA_CLOUD_MOCK_SRCS := mocks/whatsapp-cloud/cloud_mock.c mocks/whatsapp-cloud/cloud_control.c
$(eval $(call program,whatsapp-cloud,$(WA_CLOUD_MOCK_SRCS) mocks/whatsapp-cloud/main.c))
