package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// DefaultPasswordTimeout bounds a password_cmd: a command waiting for a
// pinentry that never shows must not hang the connection for ever.
const DefaultPasswordTimeout = 10 * time.Second

// ResolvePassword returns the server password (PASS): Password, or the
// first line printed by PasswordCmd (see RunPasswordCmd), or "" when
// neither is set. Errors name the network and never contain the password.
// It may block up to DefaultPasswordTimeout; call it from a goroutine that
// may wait (the connection's dialler), not the UI.
func (n *Network) ResolvePassword(ctx context.Context) (string, error) {
	if n.PasswordCmd == "" {
		return n.Password, nil
	}
	pw, err := RunPasswordCmd(ctx, n.PasswordCmd, DefaultPasswordTimeout)
	if err != nil {
		return "", fmt.Errorf("network %s: password_cmd: %w", n.Name, err)
	}
	return pw, nil
}

// ResolvePassword returns the SASL PLAIN password: Password, or the first
// line printed by PasswordCmd. Same contract as Network.ResolvePassword.
func (s *SASL) ResolvePassword(ctx context.Context) (string, error) {
	if s.PasswordCmd == "" {
		return s.Password, nil
	}
	pw, err := RunPasswordCmd(ctx, s.PasswordCmd, DefaultPasswordTimeout)
	if err != nil {
		if s.network != "" {
			return "", fmt.Errorf("network %s: sasl password_cmd: %w", s.network, err)
		}
		return "", fmt.Errorf("sasl password_cmd: %w", err)
	}
	return pw, nil
}

// RunPasswordCmd runs command with `sh -c`, bounded by timeout (and ctx),
// and returns the first line of its standard output without the line end.
// The whole process group is killed on timeout, so a command that leaves a
// child holding the pipe cannot hang the caller.
//
// Errors describe what went wrong (exit status, timeout, empty output) and
// may quote the first line of the command's standard error, but never
// its standard output, which is the secret.
func RunPasswordCmd(ctx context.Context, command string, timeout time.Duration) (string, error) {
	if timeout <= 0 {
		timeout = DefaultPasswordTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	var stdout, stderr capped
	stdout.max, stderr.max = 64<<10, 4<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	killGroup(cmd)
	err := cmd.Run()
	out := stdout.String()
	first, _, _ := strings.Cut(out, "\n")
	first = strings.TrimSuffix(first, "\r")
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("command did not finish within %s", timeout)
		}
		return "", fmt.Errorf("command cancelled: %w", ctx.Err())
	}
	if err != nil {
		msg := err.Error()
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			msg = ee.ProcessState.String()
		}
		if e := firstLine(stderr.String()); e != "" && (first == "" || !strings.Contains(e, strings.TrimSpace(first))) {
			msg += ": " + e
		}
		return "", fmt.Errorf("command failed: %s", msg)
	}
	if strings.TrimSpace(first) == "" {
		return "", errors.New("command printed nothing on its first line of output")
	}
	return first, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	l = strings.TrimSpace(l)
	if len(l) > 200 {
		l = l[:200] + "..."
	}
	return l
}

// capped is a bytes.Buffer that keeps at most max bytes and discards the
// rest, so a command spewing output cannot exhaust memory.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		if len(p) > room {
			c.Buffer.Write(p[:room])
		} else {
			c.Buffer.Write(p)
		}
	}
	return len(p), nil
}
