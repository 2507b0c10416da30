package main

import (
	"bytes"
	"testing"
)

func TestRedactQuery(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"webhook verify token",
			`"/v1/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=xyz&hub.challenge=7"`,
			`"/v1/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=[REDACTED]&hub.challenge=7"`},
		{"first parameter", `"/a?access_token=abc"`, `"/a?access_token=[REDACTED]"`},
		{"upper case key", `"/a?API_KEY=abc&x=1"`, `"/a?API_KEY=[REDACTED]&x=1"`},
		{"percent-encoded key", `"/a?client%5Fsecret=abc"`, `"/a?client%5Fsecret=[REDACTED]"`},
		{"escaped quote in value", `"/a?token=ab\"cd&x=1"`, `"/a?token=[REDACTED]&x=1"`},
		{"empty value", `"/a?token=&x=1"`, `"/a?token=[REDACTED]&x=1"`},
		{"backend error", `Get "http://127.0.0.1:1/v1/webhook?hub.verify_token=xyz": refused`,
			`Get "http://127.0.0.1:1/v1/webhook?hub.verify_token=[REDACTED]": refused`},
		{"no secret", `"/v1/search?q=shoes&limit=5"`, `"/v1/search?q=shoes&limit=5"`},
		{"no query", `"/v1/handovers"`, `"/v1/handovers"`},
	}
	for _, c := range cases {
		if got := redactQuery(c.in); got != c.want {
			t.Errorf("%s: redactQuery(%s) = %s, want %s", c.name, c.in, got, c.want)
		}
	}
}

func TestWriterRedactsLine(t *testing.T) {
	var out bytes.Buffer
	line := []byte(`[GIN] 200 | GET "/v1/whatsapp/webhook?hub.verify_token=xyz"` + "\n")

	n, err := queryRedactingWriter{w: &out}.Write(line)
	if err != nil {
		t.Fatalf("Write failed: %v", err)
	}
	if n != len(line) {
		t.Errorf("Write returned %d, want %d", n, len(line))
	}
	if bytes.Contains(out.Bytes(), []byte("xyz")) {
		t.Errorf("output contains the token: %s", out.String())
	}
}
