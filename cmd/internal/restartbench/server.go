package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// server is the process the user's server runs in, restarted as an
// operator would: SIGTERM, wait for it to exit, start it again.
type server struct {
	command string // run with sh -c "exec …", so the pid is the server's
	addr    string // where it listens, to know it is up
	logf    *os.File
	cmd     *exec.Cmd
	stdin   io.WriteCloser // the server's standard input: its operator console
	exited  chan struct{}
}

// start runs the command and waits until addr accepts connections. A
// server that exits at once (its port still held by the old one) is
// started again, for up to limit.
func (s *server) start(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		cmd := exec.Command("sh", "-c", "exec "+s.command)
		cmd.Stdout, cmd.Stderr = s.logf, s.logf
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start %q: %w", s.command, err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		s.cmd, s.stdin, s.exited = cmd, stdin, exited
		for {
			if c, err := net.DialTimeout("tcp", s.addr, 100*time.Millisecond); err == nil {
				c.Close()
				return nil
			}
			select {
			case <-exited:
			case <-time.After(5 * time.Millisecond):
				if time.Now().Before(deadline) {
					continue
				}
				s.kill()
				return fmt.Errorf("%q: nothing listens on %s after %v", s.command, s.addr, limit)
			}
			break // exited: try again
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%q keeps exiting before listening on %s", s.command, s.addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tell writes an operator command to the server's standard input.
func (s *server) tell(line string) error {
	if s.stdin == nil {
		return errors.New("the server is not running")
	}
	if _, err := io.WriteString(s.stdin, line+"\n"); err != nil {
		return fmt.Errorf("operator command %q: %w", line, err)
	}
	return nil
}

// stop sends SIGTERM and waits up to limit for the exit, then kills.
func (s *server) stop(limit time.Duration) error {
	if s.cmd == nil {
		return nil
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("SIGTERM: %w", err)
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(limit):
		s.kill()
		return fmt.Errorf("%q did not exit within %v of SIGTERM; killed", s.command, limit)
	}
}

func (s *server) kill() {
	if s.cmd != nil {
		s.cmd.Process.Kill()
		<-s.exited
	}
}
