// Command ferry is a terminal IRC client whose connections survive server
// migrations (the IRCv3 draft "migrate" extension). Run `ferry --demo` to see
// one without any configuration.
//
// main is the only place that sees everything: it loads the config (or
// starts the demo network), opens the logs and the STS store, builds the
// connection Pool and hands it to the TUI.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/ferry-irc/ferry/cmd/internal/version"
	"github.com/ferry-irc/ferry/config"
	"github.com/ferry-irc/ferry/themes"
)

// gcPercent is the garbage collector's target unless GOGC says otherwise.
// An IRC client stays open for weeks beside everything else the user runs,
// and its heap is mostly long-lived (scrollback, member lists), so a
// smaller footprint is worth more than the last bit of throughput in a
// flood: against Go's default of 100, a flood of 100 000 JOINs ends with
// about 49 MB resident instead of 65 MB, for 0.67 s of CPU instead of
// 0.52 s (cmd/internal/floodbench, KIND=join, medians of 3).
const gcPercent = 50

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run returns the process exit code: 0 on success, 1 when ferry could not
// start (bad config, first run), 2 for bad flags.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err == flag.ErrHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "ferry:", err)
		return 2
	}
	if o.version {
		fmt.Fprintln(stdout, version.String("ferry"))
		return 0
	}
	if o.demo {
		if o.checkConfig {
			fmt.Fprintln(stderr, "ferry: --check-config and --demo do not go together")
			return 2
		}
		return runDemo(o, stderr)
	}

	path := o.configPath
	if path == "" {
		path = config.DefaultPath()
	}
	cfg, err := config.LoadWith(path, configChecks())
	if errors.Is(err, fs.ErrNotExist) {
		if o.configPath != "" || o.checkConfig {
			fmt.Fprintf(stderr, "ferry: no config file at %s\n", path)
			return 1
		}
		return firstRun(path, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ferry: the config file has problems; nothing was started:\n%v\n", err)
		return 1
	}
	if o.checkConfig {
		if len(cfg.Warnings) > 0 {
			fmt.Fprintf(stdout, "%s: usable, with warnings:\n%v\n", cfg.Path, cfg.Warnings)
			return 0
		}
		fmt.Fprintf(stdout, "%s: ok (%d network(s))\n", cfg.Path, len(cfg.Networks))
		return 0
	}
	return runConfigured(o, cfg, stderr)
}

// configChecks are the config rules that need packages config cannot
// import: the theme must load as the UI will load it (a built-in name, or
// a user file that parses), so --check-config and a start refuse the same
// files instead of the UI falling back to the default theme.
func configChecks() config.Checks {
	return config.Checks{
		Theme: func(name string) error {
			_, err := themes.Load(name, config.ConfigDir())
			if errors.Is(err, themes.ErrUnknownTheme) {
				return fmt.Errorf("%w; a theme of your own goes in %s", err, filepath.Join(config.ThemeDir(), name+".toml"))
			}
			return err
		},
	}
}

// firstRun writes the commented example config and tells the user where it
// is; ferry does not connect anywhere with an example nick.
func firstRun(path string, stdout, stderr io.Writer) int {
	created, err := config.WriteExample(path)
	if err != nil {
		fmt.Fprintf(stderr, "ferry: no config file, and writing an example to %s failed: %v\n", path, err)
		return 1
	}
	if created {
		fmt.Fprintf(stdout, "Welcome to ferry. There was no config file, so an example was written to\n\n    %s\n\n", path)
	}
	fmt.Fprintf(stdout, "Edit it (at least host and nick), check it with `ferry --check-config`,\nthen start ferry again. To look around first, `ferry --demo` runs\nwithout any config or network access.\n")
	return 1
}
