// Command ferry is a terminal IRC client whose connections survive server
// migrations (the IRCv3 draft "migrate" extension). Run `ferry --demo` to see
// one without any configuration.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ferry-irc/ferry/cmd/internal/version"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	o, err := parseFlags(args, os.Stderr)
	if err == flag.ErrHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 2
	}
	if o.version {
		fmt.Println(version.String("ferry"))
		return 0
	}
	return 1
}
