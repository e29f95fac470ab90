package conn

import (
	"sync"

	"github.com/ferry-irc/ferry/net/command"
)

// mailbox holds commands for one network loop. Put never blocks (beyond a
// mutex), so Pool.Do stays cheap whatever the network is doing: dialling,
// flooded with input, or stuck on a dead socket.
type mailbox struct {
	mu   sync.Mutex
	cmds []command.Command
	wake chan struct{} // capacity 1
}

func newMailbox() *mailbox { return &mailbox{wake: make(chan struct{}, 1)} }

func (m *mailbox) put(c command.Command) {
	m.mu.Lock()
	m.cmds = append(m.cmds, c)
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// takeAll returns the queued commands in the order they were put.
func (m *mailbox) takeAll() []command.Command {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.cmds
	m.cmds = nil
	return c
}
