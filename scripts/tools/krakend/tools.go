//go:build tools

// Package tools records the KrakenD CE main package as a dependency, so that
// `go mod tidy` in this folder keeps the requirement and its go.sum entries.
// KrakenD CE v1.4.1 is the newest release whose module and dependencies the
// Go module proxy serves here (every v2 release of krakend-ce is refused).
package tools

import _ "github.com/devopsfaith/krakend-ce/cmd/krakend-ce"
