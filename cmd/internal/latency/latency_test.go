package latency

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// echoServer answers every line with the same line, and closes when the
// client half-closes.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func startProxy(t *testing.T, target string, oneWay time.Duration) *Proxy {
	t.Helper()
	p, err := Listen("127.0.0.1:0", target, oneWay)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestRoundTrip checks that a line's round trip through the proxy takes
// at least twice the one-way delay, and not much more.
func TestRoundTrip(t *testing.T) {
	for _, oneWay := range []time.Duration{0, 10 * time.Millisecond, 50 * time.Millisecond} {
		t.Run(oneWay.String(), func(t *testing.T) {
			p := startProxy(t, echoServer(t), oneWay)
			c, err := net.Dial("tcp", p.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			r := bufio.NewReader(c)
			for i := range 3 {
				start := time.Now()
				fmt.Fprintf(c, "ping %d\n", i)
				line, err := r.ReadString('\n')
				if err != nil {
					t.Fatal(err)
				}
				rtt := time.Since(start)
				if line != fmt.Sprintf("ping %d\n", i) {
					t.Fatalf("echo = %q", line)
				}
				if rtt < 2*oneWay {
					t.Errorf("round trip %v < 2 × %v", rtt, oneWay)
				}
				if rtt > 2*oneWay+200*time.Millisecond {
					t.Errorf("round trip %v, far more than 2 × %v", rtt, oneWay)
				}
			}
		})
	}
}

// TestOrderAndPipelining writes many lines at once: they must come back
// complete and in order, and the delay must apply once to the stream, not
// once per line (a pipelined burst costs one round trip).
func TestOrderAndPipelining(t *testing.T) {
	const oneWay = 30 * time.Millisecond
	const n = 20000
	p := startProxy(t, echoServer(t), oneWay)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	go func() {
		w := bufio.NewWriter(c)
		for i := range n {
			fmt.Fprintf(w, "line %06d\n", i)
		}
		w.Flush()
		c.(*net.TCPConn).CloseWrite()
	}()
	r := bufio.NewReader(c)
	for i := range n {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if want := fmt.Sprintf("line %06d\n", i); line != want {
			t.Fatalf("line %d = %q, want %q", i, line, want)
		}
	}
	if _, err := r.ReadByte(); err != io.EOF {
		t.Fatalf("after the last line: %v, want EOF (the half-close passed through and back)", err)
	}
	if took := time.Since(start); took < 2*oneWay || took > 2*oneWay+2*time.Second {
		t.Errorf("burst took %v, want about one round trip (%v)", took, 2*oneWay)
	}
}

// TestBoundedBuffer checks that a receiver that does not read stops the
// relay from reading: the sender blocks instead of the proxy buffering
// without limit.
func TestBoundedBuffer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c // and never read from it
		}
	}()
	p := startProxy(t, ln.Addr().String(), 0)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer func() {
		select {
		case s := <-accepted:
			s.Close()
		default:
		}
	}()
	buf := make([]byte, 64<<10)
	var sent int
	c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	for {
		n, err := c.Write(buf)
		sent += n
		if err != nil {
			break
		}
		if sent > 1<<30 {
			t.Fatal("wrote 1 GiB into a proxy whose receiver never reads")
		}
	}
	// The proxy's own share is at most MaxChunks×ChunkSize; the rest are
	// the kernel's socket buffers on three sockets.
	if limit := MaxChunks*ChunkSize + 64<<20; sent > limit {
		t.Errorf("sender got %d bytes out before blocking, more than %d", sent, limit)
	}
}

// TestServerGone checks that when the target closes, the client sees the
// end of the stream, and that a target that cannot be reached closes the
// client's connection.
func TestServerGone(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := ln.Addr().String()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write([]byte("bye\n"))
			c.Close()
		}
		ln.Close()
	}()
	p := startProxy(t, target, 5*time.Millisecond)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(c)
	c.Close()
	if err != nil || string(b) != "bye\n" {
		t.Fatalf("read %q, %v; want \"bye\\n\" then EOF", b, err)
	}
	// The listener is gone now: the next connection is closed by the proxy.
	c, err = net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read from a relay to a closed port succeeded")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("relay to a closed port stayed open")
	}
}

// TestDrop checks that Drop ends the relayed connections and that the
// proxy relays the next one.
func TestDrop(t *testing.T) {
	p := startProxy(t, echoServer(t), time.Millisecond)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	fmt.Fprintf(c, "before\n")
	if line, err := r.ReadString('\n'); err != nil || line != "before\n" {
		t.Fatalf("echo before the drop: %q, %v", line, err)
	}
	p.Drop()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := r.ReadString('\n'); err == nil {
		t.Fatal("the connection survived Drop")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the connection stayed open after Drop")
	}
	c2, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c2, "after\n")
	if line, err := bufio.NewReader(c2).ReadString('\n'); err != nil || line != "after\n" {
		t.Fatalf("echo after the drop: %q, %v", line, err)
	}
}

func TestNegativeDelay(t *testing.T) {
	if _, err := Listen("127.0.0.1:0", "127.0.0.1:1", -time.Millisecond); err == nil {
		t.Fatal("a negative delay was accepted")
	}
}
