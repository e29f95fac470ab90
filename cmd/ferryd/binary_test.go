package main

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// TestBinaryStartsAndExitsZeroOnSIGINT builds the real binary, runs it with
// no flags, reads the node lines a script would read, and interrupts it.
func TestBinaryStartsAndExitsZeroOnSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	cmd := exec.Command(ferrydBinary(t))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 2)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	re := regexp.MustCompile(`^s[12] 127\.0\.0\.1:\d+$`)
	for i := 0; i < 2; i++ {
		select {
		case l := <-lines:
			if !re.MatchString(l) {
				t.Fatalf("line %q", l)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no node line within 10 s")
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("ferryd did not exit after SIGINT")
	}
}
