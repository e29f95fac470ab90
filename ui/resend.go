package ui

import (
	"strconv"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// NotSent is one of our typed lines that had not reached the server when
// ferry last ended (main keeps them in a journal): ShowNotSent shows them
// at the next start, marked not sent (✗), for /resend to send again.
// Nothing here sends them by itself.
type NotSent struct {
	Network string
	Buffer  string // the channel or nick the line was typed to
	Nick    string // our nick then, shown as the sender
	Kind    event.MsgKind
	Text    string
	Time    time.Time // when it was typed
}

// ShowNotSent shows lines a previous run could not deliver in their
// buffers (opened when needed), marked not sent, with a line saying how to
// send them again. Lines of a network no longer configured are shown as
// text in the first server buffer. Call it before the program runs.
func (mm Model) ShowNotSent(lines []NotSent) {
	m := mm.m
	count := map[*buffer]int{}
	var order []*buffer
	for _, x := range lines {
		n, ok := m.netBy[x.Network]
		if !ok || x.Buffer == "" {
			if len(m.nets) == 0 {
				continue
			}
			b := m.nets[0].server0
			m.line(b, x.Time, scrollback.Error, "", "not sent when ferry ended (network "+x.Network+", to "+x.Buffer+"): "+x.Text)
			continue
		}
		b := m.ensure(n, x.Buffer)
		if count[b] == 0 {
			order = append(order, b)
		}
		count[b]++
		b.sb.Append(scrollback.Line{Time: m.at(x.Time), Kind: lineKind(x.Kind), Nick: x.Nick, Text: x.Text,
			Self: true, Failed: true, LocalID: nextID()})
	}
	for _, b := range order {
		m.line(b, m.now(), scrollback.Info, "", plural(count[b], "line")+" above not sent when ferry ended; /resend sends them again")
		if b != m.cur {
			b.unread += count[b]
		}
	}
}

// Shutdown ends ferry as a confirmed /quit does (QUIT on every network,
// without asking about pending lines: main journals them); main calls it
// from Update when SIGTERM or SIGHUP asks ferry to end.
func (mm Model) Shutdown() tea.Cmd { return mm.m.leave("", true) }

// resend sends again, through the normal send path (so each shows pending
// then delivered like a typed line), every line of the current buffer
// marked not sent: failed, or left over from a previous run. Each is sent
// once: a line resent is remembered and skipped by the next /resend.
func (m *model) resend() {
	b := m.cur
	if m.resent == nil {
		m.resent = make(map[uint64]bool)
	}
	var cmds []command.Command
	var ids []uint64
	for i := 0; i < b.sb.Len(); i++ {
		l := b.sb.Line(i)
		k, ok := msgKind(l.Kind)
		if !ok || !l.Self || !l.Failed || l.LocalID == 0 || m.resent[l.LocalID] {
			continue
		}
		cmds = append(cmds, command.SendText{Target: b.name, Text: l.Text, Kind: k})
		ids = append(ids, l.LocalID)
	}
	if len(cmds) == 0 || b.name == "" {
		m.line(b, m.now(), scrollback.Info, "", "no lines marked not sent in this buffer")
		return
	}
	for _, id := range ids {
		m.resent[id] = true
	}
	m.line(b, m.now(), scrollback.Info, "", "sending "+plural(len(cmds), "line")+" again")
	m.exec(request{cmds: cmds})
}

// msgKind is the message kind of a scrollback line of ours, if it is one.
func msgKind(k scrollback.Kind) (event.MsgKind, bool) {
	switch k {
	case scrollback.Message:
		return event.Privmsg, true
	case scrollback.Notice:
		return event.Notice, true
	case scrollback.Action:
		return event.Action, true
	}
	return 0, false
}

func plural(n int, what string) string {
	s := strconv.Itoa(n) + " " + what
	if n != 1 {
		s += "s"
	}
	return s
}
