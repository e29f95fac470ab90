// Package scrollback keeps one buffer's lines (a bounded ring) and renders
// the visible window of it for the terminal.
//
// Buffer is the data: O(1) append, lines updated in place by the local id
// of a line we sent (pending -> delivered or failed), day separators
// inserted when the date changes, an unread marker position, and a
// case-insensitive Find. View is the window onto a Buffer: size, scroll
// position, join/part folding and a per-line cache of wrapped, styled rows,
// so that drawing a frame costs the same with 1 000 or 100 000 lines behind
// it.
//
// Neither type is safe for concurrent use: the Bubble Tea goroutine owns
// them (Update appends, View renders). Nothing here imports net/: the root
// model turns events into Lines.
package scrollback

import "time"

// Kind says what a Line is, which decides its look and whether it folds.
type Kind uint8

const (
	Message      Kind = iota // PRIVMSG: Nick said Text
	Action                   // CTCP ACTION: Nick Text
	Notice                   // NOTICE from Nick
	CTCP                     // a CTCP request or reply; Text says what
	Join                     // Nick joined; Text: optional user@host
	Part                     // Nick left; Text: optional reason
	Quit                     // Nick quit; Text: optional reason
	Nick                     // Nick is now known as Text
	Kick                     // Text: the whole sentence ("bob was kicked by alice (spam)")
	Topic                    // Text: the whole sentence about the topic
	Mode                     // Text: the whole sentence about the mode change
	Info                     // Text: client or server information
	Error                    // Text: something failed
	DaySeparator             // inserted by Buffer.Append when the date changes; Time is the new day's first line
	Gap                      // history may be missing here (e.g. after a reconnect); Text optional
	Host                     // Nick changed user and host (CHGHOST); Text: the new user@host
	Realname                 // Nick changed realname (SETNAME); Text: the new realname
	Account                  // Nick logged in (account-notify); Text: the account, "" when logged out
)

var kindNames = [...]string{"message", "action", "notice", "ctcp", "join", "part", "quit", "nick", "kick", "topic", "mode", "info", "error", "day-separator", "gap", "host", "realname", "account"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// membership reports whether lines of kind k fold together (join, part,
// quit and nick changes, and members' host, realname and account
// changes: the noise of a busy channel).
func (k Kind) membership() bool { return k >= Join && k <= Nick || k >= Host && k <= Account }

// Line is one entry of a buffer, as plain data. Text keeps the mIRC
// formatting codes and is not sanitised: rendering does that, so the stored
// line can still be searched and copied as received.
type Line struct {
	Time time.Time
	Kind Kind
	// Nick is the sender (Message, Action, Notice, CTCP) or the subject
	// (Join, Part, Quit, Nick, Kick).
	Nick string
	Text string
	// Self marks our own lines; Highlight a line that mentions us.
	Self      bool
	Highlight bool
	// Pending: our line is queued, not yet on the wire. Failed: it never
	// will be. Both are cleared/set through Buffer.Update by LocalID.
	Pending bool
	Failed  bool
	// MsgID is the IRCv3 msgid when known.
	MsgID string
	// LocalID identifies a line the user typed (the SendText ID); zero for
	// every other line.
	LocalID uint64
	// Part is, with LocalID, which line of a typed text split into
	// several this is (0 for the first): LocalID and Part name one line
	// exactly, also when the ring has dropped the text's first lines.
	Part int
}
