// Package command holds the typed requests the UI (or a test) gives the connection
// owner of a network. Like net/event it is a leaf package of plain data.
package command

import (
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// Command is something the user (via the UI) asks a network to do. The
// connection owner decides when it goes out: through flood control, into the
// migration window's queue, or into the offline queue.
type Command interface{ isCommand() }

// SendText sends text to a channel or nick. The session splits long text to
// fit the line length. ID is chosen by the caller, unique per process and
// non-zero; the owner answers with Message{Self, LocalID: ID} events (one per
// line after splitting, Pending while queued), then Delivered{ID} or
// Failed{ID}.
type SendText struct {
	ID     uint64
	Target string
	Text   string
	Kind   event.MsgKind
}

// Join joins a channel, with an optional key.
type Join struct {
	Channel string
	Key     string
}

// Part leaves a channel.
type Part struct {
	Channel string
	Reason  string
}

// SetNick changes our nick.
type SetNick struct{ Nick string }

// Raw sends a line as the user typed it after /raw or /quote, e.g.
// "OPER name pass". It goes through the same queue as text. The UI's
// other commands are typed (Kick, Mode, ...), never built Raw lines.
type Raw struct{ Line string }

// Quit sends QUIT and closes the connection; the network stays disconnected.
type Quit struct{ Reason string }

// Migrate asks the network to move us to Server (MIGRATE REQUEST).
type Migrate struct{ Server string }

// Connect starts connecting a disconnected network.
type Connect struct{}

// Disconnect closes the connection (QUIT first) and does not reconnect.
type Disconnect struct{ Reason string }

// Reconnect closes the connection and connects again at once.
type Reconnect struct{}

// Search asks the server for Buffer's messages containing Text (the
// /search command), when the server offers soju.im/search; it is
// answered by an event.SearchResults, or by nothing when the server has
// no search (the UI's own scrollback search stands alone then).
type Search struct {
	Buffer string
	Text   string
}

func (Search) isCommand() {}

func (SendText) isCommand()   {}
func (Join) isCommand()       {}
func (Part) isCommand()       {}
func (SetNick) isCommand()    {}
func (Raw) isCommand()        {}
func (Quit) isCommand()       {}
func (Migrate) isCommand()    {}
func (Connect) isCommand()    {}
func (Disconnect) isCommand() {}
func (Reconnect) isCommand()  {}

// FetchHistory asks for an older page of Buffer's history (chathistory
// BEFORE the oldest line the UI holds, Before being that line's msgid or,
// when it has none, its time). It is answered by an event.History with
// Before set, or by nothing when the server does not offer chathistory.
type FetchHistory struct {
	Buffer   string
	BeforeID string
	Before   time.Time
}

func (FetchHistory) isCommand() {}

// MarkRead moves the read marker of Buffer to Time (draft/read-marker),
// so the user's other clients stop counting those lines as unread. A zero
// Time asks the server for the buffer's marker instead, answered by an
// event.ReadMarker. The session sends nothing where markers are not
// synced (no capability, or no account or bouncer to keep them), nor for
// a Time not after the marker it knows.
type MarkRead struct {
	Buffer string
	Time   time.Time
}

func (MarkRead) isCommand() {}
