package config

import (
	"os"
	"path/filepath"

	"github.com/adrg/xdg"
)

// The XDG base directories ferry uses. Each reads its XDG_* variable at
// call time (so tests and wrappers can set it after start-up) and falls
// back to adrg/xdg's platform default (~/.config, ~/Library/Application
// Support, %LOCALAPPDATA%, ...).

// ConfigDir is $XDG_CONFIG_HOME/ferry: config.toml and user themes.
func ConfigDir() string { return filepath.Join(baseDir("XDG_CONFIG_HOME", xdg.ConfigHome), "ferry") }

// StateDir is $XDG_STATE_HOME/ferry: the STS policy store and the debug log.
func StateDir() string { return filepath.Join(baseDir("XDG_STATE_HOME", xdg.StateHome), "ferry") }

// DataDir is $XDG_DATA_HOME/ferry: chat logs.
func DataDir() string { return filepath.Join(baseDir("XDG_DATA_HOME", xdg.DataHome), "ferry") }

// ThemeDir holds user theme files, which override built-in themes of the
// same name.
func ThemeDir() string { return filepath.Join(ConfigDir(), "themes") }

// DefaultPath is where ferry looks for its config file without --config.
func DefaultPath() string { return filepath.Join(ConfigDir(), "config.toml") }

// LogDir is the root of the chat logs (<LogDir>/<network>/<buffer>.log).
func LogDir() string { return filepath.Join(DataDir(), "logs") }

// STSPath is the persisted STS policy store.
func STSPath() string { return filepath.Join(StateDir(), "sts.toml") }

// DebugLogPath is the debug log (rotated once to DebugLogPath()+".1").
func DebugLogPath() string { return filepath.Join(StateDir(), "debug.log") }

// baseDir returns $env when it is an absolute path (the XDG spec says to
// ignore relative ones), else the platform default.
func baseDir(env, fallback string) string {
	if v := os.Getenv(env); v != "" && filepath.IsAbs(v) {
		return v
	}
	return fallback
}
