package ui

import (
	"errors"
	"strconv"
	"strings"

	"github.com/ferry-irc/ferry/net/command"
)

// The commands people type in channels they run, and a few everyday
// extras (/ctcp, /whowas, /list, /cycle): thin layers over the typed
// IRC requests of net/command.

// nickModes builds "/op a b c d": Mode{#chan, "+oooo", [a b c d]}; the
// session splits it into lines by the server's ISUPPORT MODES.
func nickModes(sign, letter string) func(cmdContext, string) (request, error) {
	return func(ctx cmdContext, a string) (request, error) {
		nicks := strings.Fields(a)
		if len(nicks) == 0 {
			return request{}, errUsage
		}
		if !ctx.channel {
			return request{}, errors.New("this works in a channel")
		}
		return one(command.Mode{Target: ctx.target, Modes: sign + strings.Repeat(letter, len(nicks)), Args: nicks}), nil
	}
}

// banMask turns a nick into nick!*@*; a mask (with ! or @) is kept.
func banMask(s string) string {
	if strings.ContainsAny(s, "!@") {
		return s
	}
	return s + "!*@*"
}

func banModes(sign string) func(cmdContext, string) (request, error) {
	return func(ctx cmdContext, a string) (request, error) {
		f := strings.Fields(a)
		for i := range f {
			f[i] = banMask(f[i])
		}
		if len(f) == 0 && sign == "-" {
			return request{}, errUsage
		}
		if !ctx.channel {
			return request{}, errors.New("this works in a channel")
		}
		if len(f) == 0 { // /ban alone lists the bans
			return one(command.Mode{Target: ctx.target, Modes: "+b"}), nil
		}
		return nickModes(sign, "b")(ctx, strings.Join(f, " "))
	}
}

func cmdCTCP(ctx cmdContext, a string) (request, error) {
	f := splitN(a, 3)
	if len(f) < 2 || strings.ContainsAny(f[0], ",") {
		return request{}, errUsage
	}
	c := command.CTCP{Target: f[0], Verb: strings.ToUpper(f[1])}
	if len(f) == 3 {
		c.Args = f[2]
	}
	return request{
		cmds: []command.Command{c},
		help: []string{"CTCP " + c.Verb + " sent to " + f[0]},
	}, nil
}

func cmdWhowas(ctx cmdContext, a string) (request, error) {
	f := strings.Fields(a)
	if len(f) == 0 || len(f) > 2 {
		return request{}, errUsage
	}
	w := command.Whowas{Nick: f[0]}
	if len(f) == 2 {
		n, err := strconv.Atoi(f[1])
		if err != nil || n <= 0 {
			return request{}, errUsage
		}
		w.Count = n
	}
	return one(w), nil
}

func cmdList(ctx cmdContext, a string) (request, error) {
	f := strings.Fields(a)
	if len(f) > 1 {
		return request{}, errUsage
	}
	var l command.List
	if len(f) == 1 {
		l.Filter = f[0]
	}
	return one(l), nil
}

// cmdCycle leaves and rejoins the current channel (with its key, when the
// channel has one set: the member list knows the modes only through the
// server, so a keyed channel is given its key by the user: /cycle key).
func cmdCycle(ctx cmdContext, a string) (request, error) {
	if !ctx.channel {
		return request{}, errors.New("/cycle works in a channel")
	}
	key := strings.TrimSpace(a)
	join := command.Join{Channel: ctx.target, Key: key}
	return request{cmds: []command.Command{command.Part{Channel: ctx.target, Reason: "cycling"}, join}}, nil
}
