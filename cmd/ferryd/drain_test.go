package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// TestDrainBound stops s1 (ferryd with s1 and s2 in one process, or s1's
// own process) with -drain-timeout 1s while one migrate-capable
// client never answers MIGRATE START and another declines it with NAK.
// The silent one is told the server restarts once the bound has passed,
// the one that declined at once (it cannot be moved, so there is nothing
// to wait for), and s1 exits 0 soon after the bound.
func TestDrainBound(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ferryd processes")
	}
	for _, tc := range []struct {
		name, why string // why: in the ERROR
		start     func(t *testing.T) (s1addr string, s1 *proc)
	}{
		{"one process", "shutting down", func(t *testing.T) (string, *proc) {
			a1, a2 := freeAddr(t), freeAddr(t)
			p, _ := startProc(t, "ferryd", "s1", "-nodes", "s1="+a1+",s2="+a2, "-drain-timeout", drainBound.String())
			return a1, p
		}},
		{"process per node", "restarting", func(t *testing.T) (string, *proc) {
			nw, procs := startNetworkArgs(t, []string{"-drain-timeout", drainBound.String()}, "s1", "s2")
			c := registerIRC(t, nw.addrs["s1"], "watcher", "draft/migrate")
			waitLinks(t, c, "s2")
			c.send("QUIT")
			c.waitClosed()
			return nw.addrs["s1"], procs["s1"]
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s1addr, s1 := tc.start(t)
			testDrainBound(t, s1addr, s1, tc.why)
		})
	}
}

const drainBound = time.Second

func testDrainBound(t *testing.T, s1addr string, s1 *proc, why string) {
	const bound, margin = drainBound, 1500 * time.Millisecond
	mute := registerIRC(t, s1addr, "mute", "draft/migrate")
	nay := registerIRC(t, s1addr, "nay", "draft/migrate")

	sigAt := time.Now()
	_ = s1.cmd.Process.Signal(syscall.SIGTERM)
	isStart := func(m *irc.Message) bool { return cmdIs(m, "MIGRATE", "START") }
	isError := func(m *irc.Message) bool { return m.Command == "ERROR" }

	i := nay.waitLine("START", 0, isStart)
	ls, _ := nay.snapshot()
	nakAt := time.Now()
	nay.send("MIGRATE NAK %s :target unreachable", ls[i].Param(3))
	e := nay.waitLine("ERROR", i, isError)
	if d := time.Since(nakAt); d > bound/2 {
		t.Errorf("nay got ERROR %v after its NAK, want at once (the bound is %v)", d.Round(time.Millisecond), bound)
	}
	ls, _ = nay.snapshot()
	if !strings.Contains(ls[e].Trailing(), why) {
		t.Errorf("nay's ERROR %q does not say %q", ls[e].Trailing(), why)
	}
	for _, m := range ls[i+1 : e] {
		if isStart(m) {
			t.Errorf("nay was offered the move again after its NAK: %v", m)
		}
	}

	i = mute.waitLine("START", 0, isStart)
	e = mute.waitLine("ERROR", i, isError)
	d := time.Since(sigAt)
	if d < bound-100*time.Millisecond || d > bound+margin {
		t.Errorf("mute got ERROR %v after SIGTERM, want about %v", d.Round(time.Millisecond), bound)
	}
	ls, _ = mute.snapshot()
	if !strings.Contains(ls[e].Trailing(), why) {
		t.Errorf("mute's ERROR %q does not say %q", ls[e].Trailing(), why)
	}
	select {
	case <-s1.done:
	case <-time.After(bound + margin - time.Since(sigAt)):
		t.Fatalf("s1 still running %v after SIGTERM with -drain-timeout %v", time.Since(sigAt).Round(time.Millisecond), bound)
	}
	if s1.code != 0 {
		t.Errorf("s1 exited %d", s1.code)
	}
	t.Logf("mute's ERROR %v and s1's exit %v after SIGTERM", d.Round(time.Millisecond), time.Since(sigAt).Round(time.Millisecond))
}
