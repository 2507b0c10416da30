# Local stack of HITO_ENV (dev by default) under process-compose, and the
# configuration checks. The logic lives in stack/bin/stack and
# stack/bin/check-config; these targets only pass the variables along.

STACK := HITO_ENV=$(HITO_ENV) SAN=$(SAN) stack/bin/stack

##@ Local stack (HITO_ENV=dev|test)
.PHONY: up down status logs stop-component start-component check-config
up: build ## Build, start the stack unless it runs, and wait until every component is ready
	@$(STACK) up

down: ## Stop the stack and every process it started
	@$(STACK) down

status: ## Print each component, its state and the addresses it listens on
	@$(STACK) status

logs: ## Print the tail of each component's log (C=name for one component)
	@$(STACK) logs $(C)

stop-component: ## Stop one component of the running stack (C=name)
	@test -n "$(C)" || { echo "usage: make stop-component C=name" >&2; exit 2; }
	@$(STACK) stop-component $(C)

start-component: ## Start one stopped component again and wait until it is ready (C=name)
	@test -n "$(C)" || { echo "usage: make start-component C=name" >&2; exit 2; }
	@$(STACK) start-component $(C)

check-config: setup-quiet ## Validate the local (rendered) and compose configurations
	@HITO_ENV=$(HITO_ENV) stack/bin/check-config
