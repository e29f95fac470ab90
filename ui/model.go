// Package ui is ferry's root Bubble Tea model: the layout (sidebar, topic,
// message view, nick list, status bar, input), focus and keys. It turns the
// connection owner's event batches into buffer changes and the user's input
// into commands; the components under ui/ draw the pieces.
//
// Data flow (see STYLE.md): events arrive in batches on Conn.Events(), read
// by one re-armed tea.Cmd that also drains every batch already waiting, so
// a flood costs one Update and one frame per maxApply events, not one per
// line, and keys are still handled between them. View renders only what
// is on screen. Nothing here calls program.Send.
package ui

import (
	"io"
	"os"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/common"
	"github.com/ferry-irc/ferry/ui/input"
	"github.com/ferry-irc/ferry/ui/keymap"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// Conn is the connection owner as the UI uses it; *conn.Pool satisfies it.
// Do must not block (the owner queues); Events is read by one goroutine
// (the model's Cmd); Networks lists the configured networks in the order
// the sidebar shows them.
type Conn interface {
	Do(network string, c command.Command)
	Events() <-chan event.Batch
	Networks() []string
}

// Options are the UI settings ([ui] in the config file).
type Options struct {
	// Styles, when set, is used as is (tests force a colour profile this
	// way). Otherwise Theme is loaded with themes.Load(Theme, ConfigDir)
	// on a renderer for stdout (terminal colour depth detected), with
	// NO_COLOR respected; a theme that fails to load falls back to the
	// default theme and the error is shown in the first server buffer.
	Styles    *themes.Styles
	Theme     string
	ConfigDir string // $XDG_CONFIG_HOME/ferry: user themes in ConfigDir/themes
	// TimeFormat is the Go time layout of the timestamp column ("15:04"
	// default, "-" hides it).
	TimeFormat string
	// ShowJoins is "folded" (default), "all" or "none".
	ShowJoins string
	// Scrollback is the lines kept per buffer (default 10 000).
	Scrollback int
	// Highlights are words besides our nick that highlight a line.
	Highlights []string
	// Bell rings the terminal bell ("\a" on BellOut, at most once per
	// batch) on a highlight or a private message, in any buffer: the
	// terminal itself may be in the background.
	Bell bool
	// BellOut is where the bell and the notification escapes are written
	// (default os.Stdout), each in one Write from a Cmd's goroutine.
	BellOut io.Writer
	// Notify is the escape asking the terminal for a desktop notification
	// on a highlight or private message: NotifyOSC777, NotifyOSC9 or ""
	// (none); NotifyForm turns the config's setting into it. NotifyTmux
	// wraps it for tmux's passthrough. See notify.go for when it is sent.
	Notify     string
	NotifyTmux bool
	// NotifyCmd, when set, is run at the same moments with the network,
	// buffer, nick and text appended as arguments, by NotifyRun (default
	// RunCommand) in a Cmd's goroutine with a timeout.
	NotifyCmd []string
	NotifyRun Runner
	// Log receives what the user need not see on screen (a notify_cmd
	// failing again); nil discards it.
	Log Logger
	// Now is the clock (default time.Now); Location the time zone of
	// timestamps (default time.Local).
	Now      func() time.Time
	Location *time.Location
	// Version is shown in the welcome line and used in the default quit
	// message ("ferry VERSION").
	Version string
	// QuitMessage is the reason sent with QUIT (default "ferry").
	QuitMessage string
	// Ignores are, per network name, the nicks and nick!user@host masks
	// whose messages are not shown (the config's ignore = [...]).
	Ignores map[string][]string
	// OrderFile is where the sidebar's buffer order is kept across
	// restarts ($XDG_STATE_HOME/ferry/buffers.json); "" keeps it for the
	// session only.
	OrderFile string
	// NoMouse leaves the mouse to the terminal (no wheel scrolling, but
	// native selection without Shift) until the ToggleMouse key turns it on.
	NoMouse bool
	// NoTyping neither sends nor shows typing notifications (the
	// config's typing = false).
	NoTyping bool
}

// Logger is the debug log as the UI uses it.
type Logger interface {
	Printf(format string, v ...any)
}

// Model is the root tea.Model. It is a handle: copies share state, which
// is owned by the Bubble Tea goroutine.
type Model struct{ m *model }

// model is the state behind Model.
type model struct {
	conn     Conn
	opts     Options
	styles   *themes.Styles
	viewOpts scrollback.Options
	loc      *time.Location
	now      func() time.Time
	bell     io.Writer

	nets  []*network
	netBy map[string]*network
	cur   *buffer
	order []*buffer // sidebar order; nil = recompute

	keys     *keymap.KeyMap
	in       input.Model
	paste    []string // lines of a large paste awaiting confirmation
	showList bool     // nick list toggle
	mouseOn  bool     // mouse reporting on (ToggleMouse)
	width    int
	height   int

	hlWords   []string // lower-cased highlight words
	noteSeq   uint64
	fetchSeq  uint64 // FetchHistory timeouts handed out
	closed    bool   // the event channel was closed
	quitting  bool
	localByID map[uint64]*buffer // SendText ID -> buffer it was typed in
	joining   map[string]bool    // network+"\x00"+folded channel the user asked to join
	// namesWanted: channels the user asked /names of, whose next Names
	// event is also shown as a line.
	namesWanted map[string]bool
	// quitAsk holds the reason of a quit waiting for confirmation because
	// lines are still pending.
	quitAsk *string
	// resent holds the LocalIDs of not-sent lines /resend sent again.
	resent map[uint64]bool
	// backlog is the received events not applied yet (see maxApply).
	backlog backlog

	// The remembered buffer order (order.go): as loaded, per network;
	// changed since last written; writes handed out; a write failure
	// already shown.
	savedOrder    map[string][]string
	orderDirty    bool
	orderSeq      uint64
	orderErrShown bool

	// Desktop notifications (notify.go): the terminal's focus, the first
	// of the notifications the batch being applied asked for and their
	// number, when the last ones went out (the rate limit), and whether a
	// notify_cmd failure was shown.
	focus          termFocus
	notifyFirst    notification
	notifyCount    int
	notified       []time.Time
	notifyErrShown bool
	// readArmed: a markReadMsg is on its way (readmarker.go).
	readArmed bool
	typ       typingUI        // typing notifications (typing.go)
	presence  map[string]bool // network+"\x00"+folded nick -> online (monitor.go)
}

// ids hands out SendText IDs, unique in the process and never zero.
var ids atomic.Uint64

func nextID() uint64 { return ids.Add(1) }

// New builds the root model. It does not touch the terminal or the
// network until the program runs Init.
func New(conn Conn, opts Options) Model {
	m := &model{conn: conn, opts: opts, netBy: make(map[string]*network),
		localByID: make(map[uint64]*buffer), showList: true, keys: defaultKeys, mouseOn: !opts.NoMouse}
	defer m.layout()
	m.now = opts.Now
	if m.now == nil {
		m.now = time.Now
	}
	m.loc = opts.Location
	if m.loc == nil {
		m.loc = time.Local
	}
	m.bell = opts.BellOut
	if m.bell == nil {
		m.bell = os.Stdout
	}
	var themeErr error
	m.styles = opts.Styles
	if m.styles == nil {
		m.styles, themeErr = LoadStyles(opts.Theme, opts.ConfigDir)
	}
	m.in = input.New(common.Common{Styles: m.styles, Keys: m.keys})
	joins, _ := scrollback.ParseJoins(opts.ShowJoins)
	m.viewOpts = scrollback.Options{TimeFormat: opts.TimeFormat, Joins: joins, Location: m.loc}
	for _, w := range opts.Highlights {
		if w != "" {
			m.hlWords = append(m.hlWords, w)
		}
	}
	var orderErr error
	if opts.OrderFile != "" {
		m.savedOrder, orderErr = loadOrder(opts.OrderFile)
	}
	for _, name := range conn.Networks() {
		m.network(name)
	}
	if len(m.nets) > 0 {
		m.cur = m.nets[0].server0
		m.cur.sb.Append(scrollback.Line{Time: m.now(), Kind: scrollback.Info, Text: welcomeText(opts.Version)})
		if themeErr != nil {
			m.cur.sb.Append(scrollback.Line{Time: m.now(), Kind: scrollback.Error, Text: themeErr.Error() + "; using the default theme"})
		}
		if orderErr != nil {
			m.cur.sb.Append(scrollback.Line{Time: m.now(), Kind: scrollback.Error, Text: orderErr.Error()})
		}
	}
	return Model{m}
}

// LoadStyles loads theme name (user file in configDir/themes overriding
// the built-in one) for the terminal on stdout, respecting NO_COLOR and the
// detected colour depth. On error it returns the default theme's styles
// and the error, so the caller can both report it and carry on.
func LoadStyles(name, configDir string) (*themes.Styles, error) {
	th, err := themes.Load(name, configDir)
	if err != nil {
		th2, err2 := themes.Load(themes.Default, "")
		if err2 != nil {
			return nil, err2
		}
		th = th2
	}
	return themes.NewStyles(th, themes.Renderer(), themes.NoColorEnv()), err
}

// network returns the network called name, adding it (at the end of the
// sidebar) when it is new: events may name a network Networks() did not.
func (m *model) network(name string) *network {
	if n, ok := m.netBy[name]; ok {
		return n
	}
	n := m.newNetwork(name)
	m.nets = append(m.nets, n)
	m.netBy[name] = n
	m.order = nil
	if m.cur == nil {
		m.cur = n.server0
	}
	return n
}

// batchMsg carries every batch that was waiting when the reader ran.
type batchMsg []event.Batch

// connClosedMsg says the event channel was closed: nothing more will come.
type connClosedMsg struct{}

// noteExpiredMsg clears network net's status note if it is still note seq.
type noteExpiredMsg struct {
	net string
	seq uint64
}

// maxDrain bounds how many waiting batches one read merges, so that a
// firehose still lets key presses through between Updates.
const maxDrain = 256

// waitEvents is the re-armed reader: it blocks for one batch, then takes
// whatever else is already queued without blocking.
func waitEvents(ch <-chan event.Batch) tea.Cmd {
	return func() tea.Msg {
		b, ok := <-ch
		if !ok {
			return connClosedMsg{}
		}
		out := batchMsg{b}
		for len(out) < maxDrain {
			select {
			case b, ok := <-ch:
				if !ok {
					return out // the next read reports the close
				}
				out = append(out, b)
			default:
				return out
			}
		}
		return out
	}
}

// Init starts reading events (and mouse reporting unless NoMouse).
func (mm Model) Init() tea.Cmd {
	cmds := []tea.Cmd{waitEvents(mm.m.conn.Events())}
	if !mm.m.opts.NoMouse {
		cmds = append(cmds, tea.EnableMouseCellMotion)
	}
	return tea.Batch(cmds...)
}

// Update handles one message: a batch of events, a key, a resize, a tick.
// Every state change happens here (layout fits the frame last), so View
// only reads.
func (mm Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := mm.m.update(msg)
	mm.m.layout()
	if read := mm.m.readNow(); read != nil {
		cmd = tea.Batch(cmd, read)
	}
	if save := mm.m.saveOrder(); save != nil {
		cmd = tea.Batch(cmd, save)
	}
	return mm, cmd
}

func (m *model) update(msg tea.Msg) tea.Cmd {
	m.expireNotes()
	switch msg := msg.(type) {
	case batchMsg:
		busy := !m.backlog.empty() // an applyMore is on its way already
		for _, b := range msg {
			if len(b.Events) > 0 {
				m.backlog.batches = append(m.backlog.batches, b.Events)
			}
		}
		if busy {
			return nil
		}
		return m.applySome()
	case applyMoreMsg:
		if m.backlog.empty() {
			return nil // a stray one: the reader is armed already
		}
		return m.applySome()
	case connClosedMsg:
		m.closed = true
		return nil
	case noteExpiredMsg:
		if n, ok := m.netBy[msg.net]; ok && n.noteSeq == msg.seq {
			n.clearNote()
		}
		return nil
	case orderSavedMsg:
		m.orderSaved(msg)
		return nil
	case fetchTimeoutMsg:
		m.fetchTimedOut(msg)
		return nil
	case tea.FocusMsg:
		m.focus = focusIn
		return nil
	case tea.BlurMsg:
		m.focus = focusOut
		return nil
	case notifyFailedMsg:
		m.notifyFailed(msg.err)
		return nil
	case markReadMsg:
		m.readArmed = false
		m.sendRead(m.cur)
		return nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return nil
	case typingTickMsg:
		return m.typingTick()
	case tea.KeyMsg:
		return tea.Batch(m.key(msg), m.typingInput())
	case tea.MouseMsg:
		return m.mouse(msg)
	}
	return nil
}

// View draws the frame. It only reads the model.
func (mm Model) View() string { return mm.m.view() }

// setStyles switches every buffer's view to st (a theme change).
func (m *model) setStyles(st *themes.Styles) {
	m.styles = st
	m.in.SetStyles(st)
	for _, n := range m.nets {
		n.server0.view.SetStyles(st)
		for _, b := range n.bufs {
			b.view.SetStyles(st)
		}
	}
}
