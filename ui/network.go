package ui

import (
	"slices"
	"strings"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
	"github.com/ferry-irc/ferry/ui/input"
	"github.com/ferry-irc/ferry/ui/members"
	"github.com/ferry-irc/ferry/ui/scrollback"
	"github.com/ferry-irc/ferry/ui/statusbar"
)

// bufKind says what a buffer is.
type bufKind int

const (
	serverBuf bufKind = iota
	channelBuf
	queryBuf
)

// buffer is one conversation of a network: its scrollback, view, and what
// the sidebar and status bar need.
type buffer struct {
	net     *network
	name    string // "" for the server buffer
	kind    bufKind
	sb      *scrollback.Buffer
	view    *scrollback.View
	history *input.History

	unread    int
	highlight bool
	joined    bool // channels: we are in it

	topic   string
	members *members.List // channels only
	listTop int           // first member shown in the nick list

	search    string // current search ("" none)
	searchHit int    // line index of the current hit

	// Chathistory (history.go): an older page requested and not yet
	// answered (fetchSeq names its timeout); no older page to ask for;
	// a gap marker of this connection shown, counting gapCount lines.
	fetching  bool
	fetchSeq  uint64
	olderDone bool
	gapShown  bool
	gapCount  int

	// readAt is the read marker: the newest known (draft/read-marker),
	// sent or received (readmarker.go).
	readAt time.Time
}

// title is the name shown in the sidebar and prompt.
func (b *buffer) title() string {
	if b.kind == serverBuf {
		return b.net.label()
	}
	return b.name
}

// network is one configured network as the UI sees it.
type network struct {
	name string
	// A bouncer's network (bouncer.go): the name to show, the bouncer's
	// network (where /bouncer goes) and id, and its state at the bouncer.
	title, parent, netID, upstream string

	nick       string
	state      event.State
	stateSeen  bool
	server     string
	serverName string
	lag        time.Duration
	hasLag     bool
	away       bool
	awayMsg    string // the message of our last /away, for its 306 answer
	everJoined bool   // a channel was joined since the program started
	// readMarkers: the connection syncs read markers; multiline: a paste
	// goes out as one message (event.ReadMarkers, event.Multiline).
	readMarkers bool
	multiline   bool

	// ignores are nicks and masks whose messages are not shown (see
	// ignore.go): Options.Ignores, then /ignore and /unignore.
	ignores []string

	casemap     ircx.Casemap // the network's, as its session decided it (event.ISupport)
	prefixes    string
	prefixModes string
	chanTypes   string

	server0 *buffer            // the server buffer
	bufs    []*buffer          // channels and queries, in sidebar order (order.go)
	byName  map[string]*buffer // fold(name) -> buffer (not the server buffer)
	// order is the folded names of the channels and queries in sidebar
	// order, also of those not open now (order.go).
	order []string

	// pending holds the LocalIDs of our lines shown as pending (queued in
	// a migration window or while disconnected) until Delivered/Failed.
	pending map[uint64]struct{}

	// closing is set from the user's /disconnect (or /reconnect) until
	// the next connection attempt: the server's ERROR answering our QUIT
	// is then expected, not an error worth a status note.
	closing bool

	note     string // status bar note (migration, an error)
	noteKind statusbar.NoteKind
	noteSeq  uint64    // which tick may clear it
	noteEnd  time.Time // when it goes, on the model's clock
	// noteChannel is the folded channel an error note is about: joining
	// it clears the note.
	noteChannel string
}

func (m *model) newNetwork(name string) *network {
	n := &network{name: name, casemap: ircx.CasemapRFC1459,
		prefixes: members.DefaultPrefixes, prefixModes: "qaohv", chanTypes: "#&",
		byName: make(map[string]*buffer), pending: make(map[uint64]struct{})}
	n.server0 = m.newBuffer(n, "", serverBuf)
	n.ignores = slices.Clone(m.opts.Ignores[name])
	n.order = slices.Clone(m.savedOrder[name])
	return n
}

func (m *model) newBuffer(n *network, name string, kind bufKind) *buffer {
	sb := scrollback.New(m.opts.Scrollback)
	sb.SetLocation(m.loc)
	b := &buffer{net: n, name: name, kind: kind, sb: sb, history: input.NewHistory(0)}
	b.view = scrollback.NewView(sb, m.styles, m.viewOpts)
	if kind == channelBuf {
		b.members = members.New(n.prefixes, n.fold)
	}
	return b
}

// isChannel reports whether name starts with one of the network's channel
// type characters.
func (n *network) isChannel(name string) bool {
	return name != "" && strings.IndexByte(n.chanTypes, name[0]) >= 0
}

// find returns the buffer called name ("" is the server buffer).
func (n *network) find(name string) *buffer {
	if name == "" {
		return n.server0
	}
	return n.byName[n.fold(name)]
}

// ensure returns the buffer called name, creating it (a channel or a query
// by the name's first character) when missing.
func (m *model) ensure(n *network, name string) *buffer {
	if b := n.find(name); b != nil {
		return b
	}
	kind := queryBuf
	if n.isChannel(name) {
		kind = channelBuf
	}
	b := m.newBuffer(n, name, kind)
	n.byName[n.fold(name)] = b
	m.place(n, b)
	m.order = nil
	m.askMarker(b)
	return b
}

// remove drops a channel or query buffer (/close).
func (m *model) remove(b *buffer) {
	n := b.net
	if b.kind == serverBuf {
		return
	}
	delete(n.byName, n.fold(b.name))
	m.forget(n, n.fold(b.name))
	for i, x := range n.bufs {
		if x == b {
			n.bufs = append(n.bufs[:i], n.bufs[i+1:]...)
			break
		}
	}
	m.order = nil
}

// rename moves a query buffer to a new nick (NickChange), unless a buffer
// of that name exists already.
func (m *model) rename(b *buffer, newName string) {
	n := b.net
	if n.find(newName) != nil {
		return
	}
	delete(n.byName, n.fold(b.name))
	m.rekey(n, n.fold(b.name), n.fold(newName))
	b.name = newName
	n.byName[n.fold(newName)] = b
	n.sortBufs()
	m.order = nil
}

// fold returns name's canonical form on n: the UI folds no names itself,
// it asks ircx with the case mapping the session uses, so a buffer is
// exactly what the session calls one channel or query.
func (n *network) fold(name string) string { return n.casemap.Fold(name) }

// setCasemap applies ISUPPORT: re-keys the buffers and re-sorts member
// lists. The case mapping is the session's (ev.Casemap is its token, read
// by ircx.ParseCasemap as the session read it).
func (m *model) setCasemap(n *network, ev event.ISupport) {
	oldKeys := make(map[*buffer]string, len(n.bufs))
	for _, b := range n.bufs {
		oldKeys[b] = n.fold(b.name)
	}
	if ev.Casemap != "" {
		n.casemap, _ = ircx.ParseCasemap(ev.Casemap)
	}
	if ev.Prefixes != "" {
		n.prefixes, n.prefixModes = ev.Prefixes, ev.PrefixModes
	}
	if ev.ChanTypes != "" {
		n.chanTypes = ev.ChanTypes
	}
	n.byName = make(map[string]*buffer, len(n.bufs))
	kept := n.bufs[:0]
	for _, b := range n.bufs {
		k := n.fold(b.name)
		if _, dup := n.byName[k]; dup {
			continue // two buffers now name the same one; keep the first
		}
		n.byName[k] = b
		m.rekey(n, oldKeys[b], k)
		kept = append(kept, b)
		if b.members != nil {
			b.members.SetCasemap(n.prefixes, n.fold)
		}
	}
	n.bufs = kept
	n.sortBufs()
	m.order = nil
}

// settled forgets a pending line of ours.
func (n *network) settled(id uint64) { delete(n.pending, id) }
