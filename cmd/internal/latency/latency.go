// Package latency is a TCP relay that delays each direction of every
// connection it carries by a fixed one-way delay, for measuring how a client
// behaves at a given round-trip time on loopback (the kernel's netem is not
// available everywhere). It relays bytes, so TLS passes through untouched.
//
// Each direction keeps the order of bytes: a chunk read at t is written at
// t+delay, after every chunk read before it. Buffering is bounded: at most
// MaxChunks chunks of at most ChunkSize bytes wait in each direction; past
// that the relay stops reading, and TCP's flow control pushes back on the
// sender as a slow link would.
package latency

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

const (
	// ChunkSize is the largest read relayed as one delayed chunk.
	ChunkSize = 32 << 10
	// MaxChunks is how many chunks may wait in one direction.
	MaxChunks = 256
)

// Proxy accepts connections on a listener and relays each to Target with
// the one-way delay in both directions.
type Proxy struct {
	ln     net.Listener
	target string
	delay  time.Duration

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Listen starts a proxy on addr relaying to target with oneWay added to
// each direction (so the round trip grows by twice oneWay).
func Listen(addr, target string, oneWay time.Duration) (*Proxy, error) {
	if oneWay < 0 {
		return nil, fmt.Errorf("latency: negative delay %v", oneWay)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("latency: listen %s: %w", addr, err)
	}
	p := &Proxy{ln: ln, target: target, delay: oneWay, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address clients dial.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Delay is the one-way delay of each direction.
func (p *Proxy) Delay() time.Duration { return p.delay }

// Close stops accepting, closes every relayed connection and waits for
// the relay goroutines to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

// Drop cuts every connection relayed so far, on both sides, as a lost link
// would, and goes on accepting new ones.
func (p *Proxy) Drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

// track registers c so Close can end it; false when the proxy is closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		p.wg.Add(1)
		go p.relay(c)
	}
}

// relay connects c to the target and pumps both directions until both
// have ended. A failed dial closes c, as an unreachable server would
// look to the client (a reset after the delay is not simulated).
func (p *Proxy) relay(c net.Conn) {
	defer p.wg.Done()
	if !p.track(c) {
		c.Close()
		return
	}
	defer p.untrack(c)
	defer c.Close()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	if !p.track(up) {
		up.Close()
		return
	}
	defer p.untrack(up)
	defer up.Close()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); pump(up, c, p.delay) }()
	go func() { defer wg.Done(); pump(c, up, p.delay) }()
	wg.Wait()
}

type chunk struct {
	due time.Time
	b   []byte
}

// pump copies src to dst, each chunk written delay after it was read.
// When src ends, dst's write side is closed after the last chunk (so a
// half-close passes through); when dst fails, src is closed so the peer
// sees the failure.
func pump(dst, src net.Conn, delay time.Duration) {
	q := make(chan chunk, MaxChunks)
	go func() {
		defer close(q)
		for {
			b := make([]byte, ChunkSize)
			n, err := src.Read(b)
			if n > 0 {
				q <- chunk{due: time.Now().Add(delay), b: b[:n]}
			}
			if err != nil {
				return
			}
		}
	}()
	failed := false
	for ch := range q {
		if failed {
			continue // drain so the reader can end
		}
		if d := time.Until(ch.due); d > 0 {
			time.Sleep(d)
		}
		if _, err := dst.Write(ch.b); err != nil {
			failed = true
			src.Close()
		}
	}
	if failed {
		return
	}
	if cw, ok := dst.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	} else {
		dst.Close()
	}
}
