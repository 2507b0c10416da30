# loadtest/: bounded wrk measurements of the gateway on the running local
# stack (loopback only); results in reports/load/.
##@ Benchmarks, load and fuzzing
.PHONY: load
load: ## Measure gateway overhead and the accepted rate under overload (about 30 s)
	@HITO_ENV=$(HITO_ENV) loadtest/run
