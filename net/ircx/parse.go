package ircx

import (
	"fmt"
	"strings"

	"gopkg.in/irc.v4"
)

// ParseMessage is irc.ParseMessage made safe for lines from the network.
// irc.v4 v4.0.0 panics (index out of range) on a line that is only tags and
// a space, such as "@a=b " — found by FuzzHandle — so a hostile server could
// crash any reader that parses with it directly, irc.Reader included. This
// wrapper rejects that line with an error, and turns any other panic of the
// parser into an error as well.
func ParseMessage(line string) (m *irc.Message, err error) {
	if rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "@"); ok {
		if _, after, found := strings.Cut(rest, " "); found && after == "" {
			return nil, irc.ErrMissingCommand
		}
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("unparsable IRC line: %v", r)
		}
	}()
	return irc.ParseMessage(line)
}
