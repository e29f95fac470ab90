package session

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// monitorState is the IRCv3 monitor list. The server keeps a list per
// connection, so the session keeps the user's (the config's nicks, then
// those added with /monitor) and sends it again after every registration.
// A migration keeps the connection's state on the server (the session is
// Resumed, not registered again), so nothing is resent then.
type monitorState struct {
	loaded bool
	want   []string        // across connections: the nicks to monitor, in the order added
	known  map[string]bool // folded nick -> online, as last reported (across connections)
	// Per connection.
	due     bool     // send the list at the end of the registration burst
	listing []string // RPL_MONLIST names until RPL_ENDOFMONLIST
	// Said once per session, not at every reconnect.
	saidNone, saidOver bool
}

// maxMonitor bounds the list we keep, whatever the server allows.
const maxMonitor = 1000

// monitorReset starts a connection's monitor state: the list goes out
// again once this connection is registered and its ISUPPORT is known.
func (s *Session) monitorReset() {
	if !s.mon.loaded {
		s.mon.loaded = true
		s.mon.known = make(map[string]bool)
		s.mon.want = s.monitorMerge(nil, s.cfg.Monitor)
	}
	s.mon.due = true
	s.mon.listing = nil
}

// monitorMerge returns list with the valid nicks of add that it lacks
// appended, within maxMonitor.
func (s *Session) monitorMerge(list, add []string) []string {
	for _, n := range add {
		if !validNick(n) || s.monitorIndex(list, n) >= 0 || len(list) >= maxMonitor {
			continue
		}
		list = append(list, clip(n, maxNameLen))
	}
	return list
}

func (s *Session) monitorIndex(list []string, nick string) int {
	f := s.fold(nick)
	for i, n := range list {
		if s.fold(n) == f {
			return i
		}
	}
	return -1
}

// validNick reports whether n can be one MONITOR target: a middle
// parameter without the list separator or a mask.
func validNick(n string) bool {
	return validParam(n) && !strings.ContainsAny(n, ",*?!@")
}

// monitorBurst sends the monitor list at the end of the registration
// burst, when MONITOR is known: within the server's limit (the nicks
// beyond it are named once), or, where the server has no MONITOR, says
// once that the list is not watched (there is no ISON polling instead).
func (s *Session) monitorBurst(h *handling) {
	if !s.mon.due || !s.registered {
		return
	}
	s.mon.due = false
	list := s.mon.want
	if len(list) == 0 {
		return
	}
	if s.is.Monitor == 0 {
		if !s.mon.saidNone {
			s.mon.saidNone = true
			h.emit(event.Info{Meta: h.meta, Code: "MONITOR",
				Text: fmt.Sprintf("this server does not support MONITOR: %s not watched", nickCount(len(list)))})
		}
		return
	}
	if lim := s.is.Monitor; lim > 0 && len(list) > lim {
		if !s.mon.saidOver {
			s.mon.saidOver = true
			h.emit(event.Info{Meta: h.meta, Code: "MONITOR", Error: true,
				Text: fmt.Sprintf("the server watches at most %d nicks: not watched: %s", lim, strings.Join(list[lim:], ", "))})
		}
		list = list[:lim]
	}
	s.monitorSend(ClassRejoin, "+", list)
}

func nickCount(n int) string {
	if n == 1 {
		return "1 monitored nick is"
	}
	return strconv.Itoa(n) + " monitored nicks are"
}

// monitorSend sends "MONITOR + a,b,..." (or -) lines, each within
// maxReqLen bytes of targets.
func (s *Session) monitorSend(class Class, op string, nicks []string) {
	var line string
	for _, n := range nicks {
		if line != "" && len(line)+1+len(n) > maxReqLen {
			s.send(class, "MONITOR", op, line)
			line = ""
		}
		if line != "" {
			line += ","
		}
		line += n
	}
	if line != "" {
		s.send(class, "MONITOR", op, line)
	}
}

// monitorLive reports whether MONITOR lines can go out now.
func (s *Session) monitorLive() bool { return s.registered && s.is.Monitor != 0 }

// monitorCmd carries out the user's /monitor.
func (s *Session) monitorCmd(meta event.Meta, c command.Monitor) []event.Event {
	// The answers to the user's /monitor are Replies: shown where it was typed.
	info := func(format string, v ...any) []event.Event {
		return []event.Event{event.Info{Meta: meta, Code: "MONITOR", Text: fmt.Sprintf(format, v...), Reply: true}}
	}
	refuse := func(format string, v ...any) []event.Event {
		return []event.Event{event.Info{Meta: meta, Code: "MONITOR", Text: fmt.Sprintf(format, v...), Error: true, Reply: true}}
	}
	switch c.Op {
	case command.MonitorAdd:
		var fresh []string
		for _, n := range c.Nicks {
			if !validNick(n) {
				return refuse("cannot monitor %q: not a nick", n)
			}
			if s.monitorIndex(s.mon.want, n) < 0 && s.monitorIndex(fresh, n) < 0 {
				fresh = append(fresh, n)
			}
		}
		if len(fresh) == 0 {
			return info("already monitored: %s", strings.Join(c.Nicks, ", "))
		}
		room := maxMonitor - len(s.mon.want)
		if lim := s.is.Monitor; s.registered && lim > 0 {
			room = min(room, lim-len(s.mon.want))
		}
		var full []string
		if room < len(fresh) {
			fresh, full = fresh[:max(room, 0)], fresh[max(room, 0):]
		}
		s.mon.want = append(s.mon.want, fresh...)
		var evs []event.Event
		if len(full) > 0 {
			evs = refuse("the monitor list is full (%d nicks): not added: %s", len(s.mon.want), strings.Join(full, ", "))
		}
		switch {
		case len(fresh) == 0:
		case s.monitorLive():
			s.monitorSend(ClassUser, "+", fresh)
		case s.registered:
			evs = append(evs, info("this server does not support MONITOR: %s kept for a server that does", strings.Join(fresh, ", "))...)
		default:
			evs = append(evs, info("monitoring %s once connected", strings.Join(fresh, ", "))...)
		}
		return evs
	case command.MonitorRemove:
		var gone []string
		for _, n := range c.Nicks {
			if i := s.monitorIndex(s.mon.want, n); i >= 0 {
				gone = append(gone, s.mon.want[i])
				s.mon.want = append(s.mon.want[:i], s.mon.want[i+1:]...)
			}
		}
		if len(gone) == 0 {
			return info("not monitored: %s", strings.Join(c.Nicks, ", "))
		}
		if s.monitorLive() {
			s.monitorSend(ClassUser, "-", gone)
		}
		return append(s.forget(meta, gone), info("no longer monitoring %s", strings.Join(gone, ", "))...)
	case command.MonitorClear:
		gone := s.mon.want
		s.mon.want = nil
		if s.monitorLive() {
			s.send(ClassUser, "MONITOR", "C")
		}
		return append(s.forget(meta, gone), info("the monitor list is cleared")...)
	case command.MonitorList:
		if s.monitorLive() {
			s.send(ClassUser, "MONITOR", "L")
			return nil
		}
		if len(s.mon.want) == 0 {
			return info("the monitor list is empty")
		}
		why := "not connected"
		if s.registered {
			why = "this server does not support MONITOR"
		}
		return info("monitored (%s): %s", why, strings.Join(s.mon.want, ", "))
	case command.MonitorStatus:
		if !s.monitorLive() {
			return refuse("cannot ask for the monitored nicks' status: %s", map[bool]string{true: "this server does not support MONITOR", false: "not connected"}[s.registered])
		}
		clear(s.mon.known) // every answer is news: the user asked
		s.send(ClassUser, "MONITOR", "S")
	}
	return nil
}

// forget drops what we knew of nicks leaving the list; the UI learns it
// from a Presence with Removed set.
func (s *Session) forget(meta event.Meta, nicks []string) []event.Event {
	var evs []event.Event
	for _, n := range nicks {
		delete(s.mon.known, s.fold(n))
		evs = append(evs, event.Presence{Meta: meta, Nick: n, Removed: true})
	}
	return evs
}

// handleMonitorNumeric handles RPL_MONONLINE (730), RPL_MONOFFLINE (731),
// RPL_MONLIST (732), RPL_ENDOFMONLIST (733) and ERR_MONLISTFULL (734).
func (s *Session) handleMonitorNumeric(h *handling) {
	m := h.m
	switch m.Command {
	case "730", "731":
		online := m.Command == "730"
		for _, t := range strings.Split(m.Trailing(), ",") {
			nick, uh, _ := strings.Cut(strings.TrimSpace(t), "!")
			if nick == "" || !validNick(nick) {
				continue
			}
			f := s.fold(nick)
			if was, ok := s.mon.known[f]; ok && was == online {
				continue // a reconnect found it as it was
			}
			if s.mon.known == nil {
				s.mon.known = make(map[string]bool)
			}
			if _, ok := s.mon.known[f]; ok || len(s.mon.known) < maxMonitor {
				s.mon.known[f] = online
			}
			h.emit(event.Presence{Meta: h.meta, Nick: clip(nick, maxNameLen), Online: online, Host: clip(uh, maxNameLen)})
		}
	case "732":
		for _, n := range strings.Split(m.Trailing(), ",") {
			if n != "" && len(s.mon.listing) < maxMonitor {
				s.mon.listing = append(s.mon.listing, clip(n, maxNameLen))
			}
		}
	case "733":
		text := "the server's monitor list is empty"
		if len(s.mon.listing) > 0 {
			text = "monitored: " + strings.Join(s.mon.listing, ", ")
		}
		s.mon.listing = nil
		h.emit(event.Info{Meta: h.meta, Code: "MONITOR", Text: clip(text, maxLine), Reply: true})
	case "734": // "734 me limit targets :Monitor list is full."
		h.emit(event.Info{Meta: h.meta, Code: "MONITOR", Error: true, Reply: true,
			Text: clip(fmt.Sprintf("the monitor list is full (the server allows %s): not watched: %s", m.Param(1), strings.ReplaceAll(m.Param(2), ",", ", ")), maxLine)})
	}
}
