package conn

import (
	"sync"

	"github.com/ferry-irc/ferry/net/transport"
	"gopkg.in/irc.v4"
)

// link is one transport and the goroutines serving it: a reader feeding the
// network loop and a transport.Writer applying the flood limiter. A network
// holds at most two at a time (the current one and, during a migration, the
// connection opened to the target). Every input a link produces carries the
// link itself, so the loop can ignore lines and errors from a link it has
// already dropped.
type link struct {
	id     uint64
	addr   string // host:port as dialled, for events
	host   string // the host name dialled (STS bookkeeping)
	t      transport.Transport
	w      *transport.Writer
	lines  *userLines // user lines handed to w and not yet written
	closed chan struct{}
	once   sync.Once
	// regDeadline bounds registration on this link (regdeadline.go).
	regDeadline *armed
}

// lineIn is a line read from l.
type lineIn struct {
	l   *link
	msg *irc.Message
}

// linkLost reports that l's reader or writer failed (EOF included).
type linkLost struct {
	l   *link
	err error
}

// start launches the reader and the writer-error watcher. post delivers an
// input to the network loop and reports false once the loop is gone.
func (l *link) start(post func(any) bool) {
	go func() {
		for {
			m, err := l.t.ReadMessage()
			if err != nil {
				post(linkLost{l, err})
				return
			}
			select {
			case <-l.closed:
				return
			default:
			}
			if !post(lineIn{l, m}) {
				return
			}
		}
	}()
	go func() {
		select {
		case err, ok := <-l.w.Err():
			if ok && err != nil {
				post(linkLost{l, err})
			}
		case <-l.closed:
		}
	}()
}

// close stops both goroutines and the socket. Lines already handed to the
// writer may be lost; callers that need QUIT on the wire wait first. The
// user lines are sealed before the socket closes, so a line the writer
// takes meanwhile is never written (recoverUnsent sends it again) and only
// a write already under way can be cut by the close.
func (l *link) close() {
	l.once.Do(func() {
		close(l.closed)
		l.lines.seal()
		l.w.Close()
		l.t.Close()
	})
}
