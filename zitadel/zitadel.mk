# zitadel/: the identity model, the flat_roles action and the provisioner.
ZITADEL_PROVISION_SRCS := zitadel/src/model.c zitadel/src/outputs.c zitadel/src/zapi.c \
	zitadel/src/provision.c
$(eval $(call program,hito-zitadel-provision,$(ZITADEL_PROVISION_SRCS) zitadel/src/main.c,-lcrypto))
$(eval $(call unit_test,zitadel_test_provision,$(ZITADEL_PROVISION_SRCS) zitadel/tests/test_provision.c,-lcrypto))
$(eval $(call unit_test,zitadel_test_flat_roles,zitadel/tests/test_flat_roles.c,-lduktape))
INTEGRATION_TESTS += zitadel/tests/provision-integration-test
