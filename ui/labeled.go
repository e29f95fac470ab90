package ui

import "github.com/ferry-irc/ferry/net/command"

// asked wraps a request whose answer the user waits for (/whois, /names,
// /list, a /mode or /topic query, /raw, /setname) in a command.Asked
// naming the buffer it was typed in: where the server offers
// labeled-response, the session labels it and the answer comes back to
// that buffer, wherever the user has gone since. Without it the answer is
// placed as before (a reply naming no buffer goes to the current one).
func asked(b *buffer, c command.Command) command.Command {
	switch c.(type) {
	case command.Whois, command.Whowas, command.Names, command.List, command.Raw,
		command.SetName, command.Mode, command.Topic:
		return command.Asked{Buffer: b.name, Cmd: c.(command.ToServer)}
	}
	return c
}
