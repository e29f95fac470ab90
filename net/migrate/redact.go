package migrate

import (
	"strings"

	"gopkg.in/irc.v4"
)

// Masked replaces a token in Redact's output.
const Masked = "<token>"

// Redact renders msg for the debug log with migrate tokens masked (SPEC.md
// section 4: tokens are never logged). For MIGRATE START the host, port and
// server name stay visible and both tokens are masked; for OK, NAK, PROCEED,
// RESUME and CONFIRM the token is masked (a NAK's reason stays); for FAIL
// MIGRATE ABORTED and INVALID_TOKEN the context is masked. Other lines are
// returned as msg.String(). msg is not modified.
func Redact(msg *irc.Message) string {
	if msg == nil {
		return ""
	}
	var mask []int
	switch {
	case msg.Command == "MIGRATE":
		switch strings.ToUpper(msg.Param(0)) {
		case "START":
			mask = []int{3, 4}
		case "OK", "NAK", "PROCEED", "RESUME", "CONFIRM":
			mask = []int{1}
		case "REQUEST":
		default:
			// Unknown subcommand: mask every parameter but the subcommand,
			// since we cannot tell which one is secret.
			for i := 1; i < len(msg.Params); i++ {
				mask = append(mask, i)
			}
		}
	case msg.Command == "FAIL" && msg.Param(0) == "MIGRATE":
		switch msg.Param(1) {
		case "UNKNOWN_SERVER", "NOT_ALLOWED", "IN_PROGRESS":
		default:
			// ABORTED and INVALID_TOKEN carry the resume token as context;
			// an unknown code might too. The description is kept.
			// With no description the last parameter is context too.
			end := len(msg.Params) - 1
			if end <= 2 {
				end = len(msg.Params)
			}
			for i := 2; i < end; i++ {
				mask = append(mask, i)
			}
		}
	}
	if len(mask) == 0 {
		return msg.String()
	}
	c := msg.Copy()
	for _, i := range mask {
		if i < len(c.Params) {
			c.Params[i] = Masked
		}
	}
	return c.String()
}
