package main

import (
	"flag"
	"fmt"
	"io"
	"time"
)

// options are ferry's command-line flags.
type options struct {
	configPath  string
	checkConfig bool
	demo        bool
	demoBounce  time.Duration
	debug       bool
	rawLog      bool
	version     bool
}

// flagGroup puts flags under a heading in --help, each with one example.
type flagGroup struct {
	title string
	flags []flagDoc
}

type flagDoc struct {
	name    string
	example string
}

var helpGroups = []flagGroup{
	{"Getting started", []flagDoc{
		{"demo", "ferry --demo"},
		{"demo-bounce", "ferry --demo --demo-bounce 5s"},
	}},
	{"Configuration", []flagDoc{
		{"config", "ferry --config ~/irc/ferry.toml"},
		{"check-config", "ferry --check-config --config ~/irc/ferry.toml"},
	}},
	{"Diagnostics", []flagDoc{
		{"debug", "ferry --debug"},
		{"raw-log", "ferry --debug --raw-log"},
		{"version", "ferry --version"},
	}},
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("ferry", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o, _ := parseFlagsInto(fs)
	fs.Usage = func() { writeHelp(stderr, fs) }
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q (ferry takes only flags; see ferry --help)", fs.Arg(0))
	}
	return *o, err
}

// parseFlagsInto defines ferry's flags on fs; the options fill in on Parse.
func parseFlagsInto(fs *flag.FlagSet) (*options, error) {
	o := &options{}
	fs.StringVar(&o.configPath, "config", "", "config file `path` (default: $XDG_CONFIG_HOME/ferry/config.toml)")
	fs.BoolVar(&o.checkConfig, "check-config", false, "validate the config file, print what is wrong (file:line: key: problem) and exit")
	fs.BoolVar(&o.demo, "demo", false, "start a two-node migrate-capable test network in this process and connect to it; needs no config and no network access")
	fs.DurationVar(&o.demoBounce, "demo-bounce", 20*time.Second, "with --demo: how often the demo network moves you between its servers (0: never)")
	fs.BoolVar(&o.debug, "debug", false, "raise the debug log ($XDG_STATE_HOME/ferry/debug.log) to debug level")
	fs.BoolVar(&o.rawLog, "raw-log", false, "also write raw IRC traffic to the debug log, with passwords, SASL payloads and migrate tokens masked")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	return o, nil
}

// writeHelp prints every flag with its default, grouped, with one example each.
func writeHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "ferry: a terminal IRC client that survives server migrations.\n\n")
	fmt.Fprintf(w, "Usage:\n  ferry [flags]\n\n")
	for _, g := range helpGroups {
		fmt.Fprintf(w, "%s:\n", g.title)
		for _, d := range g.flags {
			f := fs.Lookup(d.name)
			if f == nil {
				continue
			}
			name, usage := flag.UnquoteUsage(f)
			line := "  --" + f.Name
			if name != "" {
				line += " " + name
			}
			fmt.Fprintf(w, "%s\n      %s\n", line, usage)
			if f.DefValue != "" && f.DefValue != "false" {
				fmt.Fprintf(w, "      default: %s\n", f.DefValue)
			} else if f.DefValue == "false" {
				fmt.Fprintf(w, "      default: off\n")
			}
			fmt.Fprintf(w, "      example: %s\n", d.example)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Files:\n  config     $XDG_CONFIG_HOME/ferry/config.toml (an example is written on first run)\n")
	fmt.Fprintf(w, "  themes     $XDG_CONFIG_HOME/ferry/themes/NAME.toml\n")
	fmt.Fprintf(w, "  STS store  $XDG_STATE_HOME/ferry/sts.toml\n")
	fmt.Fprintf(w, "  debug log  $XDG_STATE_HOME/ferry/debug.log\n")
	fmt.Fprintf(w, "  chat logs  $XDG_DATA_HOME/ferry/logs/NETWORK/BUFFER.log\n")
	fmt.Fprintf(w, "\nInside ferry, type /help for commands and keys.\n")
}
