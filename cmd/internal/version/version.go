// Package version reports the build's version for `ferry --version` and
// `ferryd --version`. Release builds stamp the variables through ldflags
// (see .goreleaser.yaml); a plain `go build` reports "dev" plus the VCS
// revision the Go toolchain recorded, when it recorded one.
package version

import (
	"fmt"
	"runtime/debug"
)

// Stamped by the release build:
//
//	-X github.com/ferry-irc/ferry/cmd/internal/version.Version={{.Version}}
var (
	Version = "dev"
	Commit  = ""
	Date    = ""
)

// String is the one-line version text, e.g. "ferry 1.2.0 (abc1234, 2026-11-25)"
// or "ferry dev (abc1234-dirty)".
func String(program string) string {
	commit, date, modified := Commit, Date, false
	if commit == "" {
		if info, ok := debug.ReadBuildInfo(); ok {
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					commit = s.Value
				case "vcs.time":
					date = s.Value
				case "vcs.modified":
					modified = s.Value == "true"
				}
			}
		}
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if modified {
		commit += "-dirty"
	}
	switch {
	case commit != "" && date != "":
		return fmt.Sprintf("%s %s (%s, %s)", program, Version, commit, date)
	case commit != "":
		return fmt.Sprintf("%s %s (%s)", program, Version, commit)
	}
	return fmt.Sprintf("%s %s", program, Version)
}
