// Package sts implements IRCv3 Strict Transport Security
// (https://ircv3.net/specs/extensions/sts) for ferry: parsing the `sts`
// capability value, the rules for acting on it, and the persisted store of
// learned policies merged with the user's pins.
//
// The rules, and who applies them:
//
//   - An upgrade policy (the `port` key) is only acted on when it arrives over
//     a plaintext connection: the client drops the connection and reconnects
//     with TLS on that port (Advertised reports it; the caller reconnects).
//   - A persistence policy (the `duration` key) is only valid on a TLS
//     connection; one seen over plaintext is ignored. It is stored with the
//     port of that TLS connection and expires duration after it was last seen.
//   - `duration=0` clears the learned policy for the host.
//   - When a connection to a host with a policy ends, the policy's expiry is
//     rescheduled to now plus its duration (Disconnected).
//   - `CAP DEL sts` must not clear a policy: that is the caller's rule (the
//     session simply does not report a deletion to this package), kept here in
//     writing because nothing in this package can enforce it.
//   - Once a policy applies, the connection is TLS with full certificate
//     verification and a failure is final for that attempt: no plaintext
//     fallback (net/transport.Dial with DialConfig.STS = Store.Lookup).
//
// Pins are policies the user declared in the config file ([sts] pins); they
// win over learned policies and never expire.
package sts

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Policy is a parsed `sts` capability value.
type Policy struct {
	// Port is the TLS port of an upgrade policy; 0 when the key is absent.
	Port int
	// Duration is how long a persistence policy lasts; meaningful only when
	// HasDuration. Zero with HasDuration asks to clear the policy.
	Duration    time.Duration
	HasDuration bool
	// Preload is the `preload` key: the server consents to preload lists.
	// ferry does not ship one; the key is parsed so it is not mistaken for
	// an error.
	Preload bool
}

// maxSeconds keeps Duration within time.Duration.
const maxSeconds = math.MaxInt64 / int64(time.Second)

// ParsePolicy parses a capability value such as "port=6697,duration=2592000".
//
// Keys are separated by commas; unknown keys are ignored, as the spec
// requires. A known key given twice, a port outside 1-65535, or a duration
// that is not a non-negative integer number of seconds is an error: the
// spec has clients ignore such a policy, and the error says why. Durations
// too long for time.Duration are capped rather than refused.
func ParsePolicy(value string) (Policy, error) {
	var p Policy
	seen := map[string]bool{}
	for tok := range strings.SplitSeq(value, ",") {
		if tok == "" {
			continue
		}
		key, val, hasVal := strings.Cut(tok, "=")
		switch key {
		case "port", "duration", "preload":
		default:
			continue
		}
		if seen[key] {
			return Policy{}, fmt.Errorf("key %q given twice", key)
		}
		seen[key] = true
		switch key {
		case "port":
			n, err := parseDigits(val)
			if err != nil || !hasVal || n < 1 || n > 65535 {
				return Policy{}, fmt.Errorf("port %q is not a port number", val)
			}
			p.Port = int(n)
		case "duration":
			n, err := parseDigits(val)
			if errors.Is(err, strconv.ErrRange) {
				n, err = maxSeconds, nil
			}
			if err != nil || !hasVal {
				return Policy{}, fmt.Errorf("duration %q is not a number of seconds", val)
			}
			p.Duration = time.Duration(min(n, maxSeconds)) * time.Second
			p.HasDuration = true
		case "preload":
			p.Preload = true
		}
	}
	return p, nil
}

// parseDigits accepts only ASCII digits (no sign, no spaces).
func parseDigits(s string) (int64, error) {
	if s == "" {
		return 0, strconv.ErrSyntax
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, strconv.ErrRange
	}
	return n, nil
}
