# Go tests of the pinned tools' own code (today the KrakenD entry point in
# scripts/tools/krakend/cmd/krakend, which binds the listener to loopback
# and redacts secret query values in the access log).

##@ Tests
.PHONY: test-go-tools
test-go-tools: setup-quiet ## Run the Go tests of the pinned tools' own code
	@cd scripts/tools/krakend && GOFLAGS=-mod=mod go test ./cmd/krakend/
