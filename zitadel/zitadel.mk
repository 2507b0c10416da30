# zitadel/: the identity model, the flat_roles action and the provisioner.
ZITADEL_PROVISION_SRCS := zitadel/src/model.c zitadel/src/outputs.c zitadel/src/zapi.c \
	zitadel/src/provision_actions.c zitadel/src/provision_users.c \
	zitadel/src/provision.c
$(eval $(call program,hito-zitadel-provision,$(ZITADEL_PROVISION_SRCS) zitadel/src/main.c,-lcrypto))
$(eval $(call unit_test,zitadel_test_provision,$(ZITADEL_PROVISION_SRCS) zitadel/tests/test_provision.c,-lcrypto))
$(eval $(call unit_test,zitadel_test_flat_roles,zitadel/tests/test_flat_roles.c,-lduktape))
INTEGRATION_TESTS += zitadel/tests/provision-integration-test

##@ Identity
.PHONY: zitadel-provision
zitadel-provision: $(BUILD)/bin/hito-zitadel-provision ## Apply zitadel/model.json to the running stack's ZITADEL (PLAN=1 only prints the changes)
	@. stack/settings/$(HITO_ENV).env && $< $(if $(PLAN),--plan) \
	    --url "http://$${ZITADEL_EXTERNAL_DOMAIN:-localhost}:$$ZITADEL_PORT" \
	    --token-file run/$(HITO_ENV)/zitadel/admin.pat --model zitadel/model.json \
	    --out run/$(HITO_ENV)/zitadel.env
