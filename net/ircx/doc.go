// Package ircx holds small, pure helpers over gopkg.in/irc.v4 that the
// session needs and irc.v4 does not provide: capability list parsing (CAP LS
// 302 values), RPL_ISUPPORT interpretation, IRC case mapping, and splitting
// long text into lines that fit the server's line length.
//
// Nothing here keeps state between calls or does I/O; every function is safe
// for concurrent use.
package ircx
