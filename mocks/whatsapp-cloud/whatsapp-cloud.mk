# The WhatsApp Cloud API emulator for tests and the local stack.
WA_CLOUD_MOCK_SRCS := mocks/whatsapp-cloud/cloud_mock.c mocks/whatsapp-cloud/cloud_control.c
$(eval $(call program,whatsapp-cloud,$(WA_CLOUD_MOCK_SRCS) mocks/whatsapp-cloud/main.c))

# Unit test: the emulator and a webhook receiver on ephemeral loopback ports;
# the receiver checks signatures with the WhatsApp service's wa_signature.
$(BUILD)/obj/mocks/whatsapp-cloud/tests/%.o: ALL_CFLAGS += -Imocks/whatsapp-cloud \
	-Ireference/services/whatsapp/domain
$(eval $(call unit_test,whatsapp_cloud_mock,mocks/whatsapp-cloud/tests/test_cloud_mock.c \
	$(WA_CLOUD_MOCK_SRCS) reference/services/whatsapp/domain/wa_signature.c))
