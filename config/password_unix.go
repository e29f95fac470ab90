//go:build unix

package config

import (
	"os/exec"
	"syscall"
)

// killGroup makes cmd the leader of a new process group and makes
// cancellation kill the whole group (sh and whatever it started).
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
