package ircx

import (
	"fmt"
	"strings"

	"gopkg.in/irc.v4"
)

// ParseMessage is irc.ParseMessage made safe for lines from the network,
// and the one place that guards it: the transport's reader and every other
// client-side parser call this. irc.v4 v4.0.0 panics (index out of range)
// on a line that is only tags and a space, such as "@a=b " — found by
// FuzzHandle — so a hostile server could crash any reader that parses with
// it directly, irc.Reader included. This wrapper rejects a tag block with
// nothing after it with irc.ErrMissingDataAfterTags, and turns any other
// panic of the parser into an error as well. (The reference server,
// net/testnet, keeps its own guard on purpose: it is the other side.)
func ParseMessage(line string) (m *irc.Message, err error) {
	line = strings.TrimRight(line, "\r\n")
	if strings.HasPrefix(line, "@") {
		i := strings.IndexByte(line, ' ')
		if i < 0 || strings.TrimLeft(line[i:], " ") == "" {
			return nil, irc.ErrMissingDataAfterTags
		}
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("unparsable IRC line: %v", r)
		}
	}()
	return irc.ParseMessage(line)
}
