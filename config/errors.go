package config

import (
	"fmt"
	"strings"
)

// Error is one problem in a config file, located so a person can fix it.
type Error struct {
	File string
	Line int    // 1-based; 0 when no line applies
	Key  string // e.g. "ui.show_joins", "network[2].port" (the 2nd [[network]] table)
	Msg  string
}

// Error formats as "file:line: key: msg", the form editors and terminals
// turn into a link.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		b.WriteString(": ")
		b.WriteString(e.Key)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem Load found, in file order. Load returns it (as an
// error) whenever the file was read but is not valid, so the user can fix
// all of it in one go.
type Errors []*Error

// Error prints one problem per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
