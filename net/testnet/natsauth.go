package testnet

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
)

// redactURL hides the credentials of a NATS URL list before it is logged
// or put in an error: a user's password and a token (nats.go reads a
// user name without a password as a token, which url.URL.Redacted would
// print). Everything up to an item's last '@' is hidden but a user name.
func redactURL(urls string) string {
	items := strings.Split(urls, ",")
	for i, it := range items {
		at := strings.LastIndex(it, "@")
		if at < 0 {
			continue
		}
		start := 0
		if j := strings.Index(it[:at], "://"); j >= 0 {
			start = j + 3
		}
		hidden := "xxxxx"
		if user, _, ok := strings.Cut(it[start:at], ":"); ok {
			hidden = user + ":xxxxx"
		}
		items[i] = it[:start] + hidden + it[at:]
	}
	return strings.Join(items, ",")
}

// urlSecrets are the credentials in a NATS URL list, to scrub from text.
func urlSecrets(urls string) []string {
	var out []string
	for _, it := range strings.Split(urls, ",") {
		at := strings.LastIndex(it, "@")
		if at < 0 {
			continue
		}
		info := it[:at]
		if j := strings.Index(info, "://"); j >= 0 {
			info = info[j+3:]
		}
		if _, pass, ok := strings.Cut(info, ":"); ok {
			info = pass
		}
		if info != "" {
			out = append(out, info)
		}
	}
	return out
}

// scrubbedError is an error whose text had credentials taken out; it
// still unwraps to the original for errors.Is.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// connectError explains why joining NATS failed without repeating a
// secret: nats.go's errors may quote the URL (a parse error does).
func connectError(o *ClusterOptions, err error) error {
	msg := err.Error()
	for _, s := range append(urlSecrets(o.NATSURL), o.Token) {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	var cause error = &scrubbedError{msg: msg, err: err}
	if errors.Is(err, nats.ErrAuthorization) {
		hint := "the NATS server wants a token this node lacks or has wrong (ferryd -nats-token-file or FERRYD_NATS_TOKEN)"
		if len(urlSecrets(o.NATSURL)) > 0 {
			hint = "the NATS server refused the credentials in the URL"
		}
		cause = fmt.Errorf("%w: %s", cause, hint)
	}
	return fmt.Errorf("testnet: connect to NATS %s: %w", redactURL(o.NATSURL), cause)
}
