//go:build !unix

package config

import "os/exec"

// killGroup: without process groups, cancellation kills sh only; WaitDelay
// still bounds the wait for its children.
func killGroup(cmd *exec.Cmd) {}
