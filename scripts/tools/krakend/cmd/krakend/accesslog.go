package main

import (
	"io"
	"net/url"
	"regexp"
	"strings"

	krakend "github.com/devopsfaith/krakend-ce"
	"github.com/gin-gonic/gin"
	"github.com/luraproject/lura/config"
	"github.com/luraproject/lura/logging"
)

// secretMarkers are the substrings that make a query parameter's value
// secret, matched without regard to case. They are the markers of
// log_key_is_secret in reference/lib/src/log.c, so the gateway and the
// services redact the same parameters.
var secretMarkers = []string{
	"password", "passwd", "secret", "token", "authorization", "api_key",
	"apikey", "cookie", "credential", "private_key",
}

// queryParameter matches one key=value pair after "?" or "&". The value ends
// at "&", white space or an unescaped double quote, because gin's access
// line prints the path as a Go-quoted string.
var queryParameter = regexp.MustCompile(`([?&])([^=&\s"?]+)=((?:\\.|[^&\s"\\])*)`)

const redacted = "[REDACTED]"

// isSecretKey reports whether a query parameter named key (percent-encoded
// as sent) holds a secret.
func isSecretKey(key string) bool {
	if decoded, err := url.QueryUnescape(key); err == nil {
		key = decoded
	}
	key = strings.ToLower(key)
	for _, marker := range secretMarkers {
		if strings.Contains(key, marker) {
			return true
		}
	}
	return false
}

// redactQuery replaces the values of secret query parameters in text with
// [REDACTED].
func redactQuery(text string) string {
	return queryParameter.ReplaceAllStringFunc(text, func(pair string) string {
		parts := queryParameter.FindStringSubmatch(pair)
		if !isSecretKey(parts[2]) {
			return pair
		}
		return parts[1] + parts[2] + "=" + redacted
	})
}

// queryRedactingWriter passes each access line to w with the values of
// secret query parameters redacted. gin's logger writes one line per Write.
type queryRedactingWriter struct {
	w io.Writer
}

func (r queryRedactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, redactQuery(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redactingEngineFactory builds KrakenD's own gin engine (krakend.NewEngine)
// around a writer that redacts secret query values. KrakenD CE 1.4.1 always
// installs gin's access logger, which prints the full query string (for
// example the WhatsApp webhook's hub.verify_token), and has no setting to
// turn it off or filter it.
type redactingEngineFactory struct{}

// NewEngine gets a nil w when no GELF writer is configured, and gin's logger
// then writes to gin.DefaultWriter (standard output), so the wrapper does too.
func (redactingEngineFactory) NewEngine(cfg config.ServiceConfig, l logging.Logger, w io.Writer) *gin.Engine {
	if w == nil {
		w = gin.DefaultWriter
	}
	return krakend.NewEngine(cfg, l, queryRedactingWriter{w: w})
}
