package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

// Every flag ferry defines must appear in --help under a group, with its
// default and an example: a flag added without documentation fails here.
func TestHelpListsEveryFlag(t *testing.T) {
	var out bytes.Buffer
	_, err := parseFlags([]string{"--help"}, &out)
	if err != flag.ErrHelp {
		t.Fatalf("parseFlags(--help) error = %v, want flag.ErrHelp", err)
	}
	help := out.String()
	documented := map[string]bool{}
	for _, g := range helpGroups {
		for _, d := range g.flags {
			documented[d.name] = true
		}
	}
	var names []string
	probe := flag.NewFlagSet("ferry", flag.ContinueOnError)
	probe.SetOutput(&bytes.Buffer{})
	_, _ = parseFlagsInto(probe)
	probe.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if len(names) == 0 {
		t.Fatal("no flags enumerated")
	}
	for _, n := range names {
		if !documented[n] {
			t.Errorf("flag --%s is not in any help group", n)
		}
		if !strings.Contains(help, "--"+n) {
			t.Errorf("--help does not mention --%s", n)
		}
	}
	if c := strings.Count(help, "example: "); c != len(names) {
		t.Errorf("help has %d examples, want one per flag (%d)", c, len(names))
	}
}

func TestRejectsStrayArguments(t *testing.T) {
	_, err := parseFlags([]string{"--demo", "extra"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "extra") {
		t.Fatalf("error = %v, want one naming the stray argument", err)
	}
}

func TestParsesFlags(t *testing.T) {
	o, err := parseFlags([]string{"--demo", "--debug", "--config", "/x.toml"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !o.demo || !o.debug || o.configPath != "/x.toml" || o.checkConfig {
		t.Fatalf("options = %+v", o)
	}
}
