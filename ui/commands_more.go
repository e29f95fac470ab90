package ui

import (
	"errors"
	"strings"

	"github.com/ferry-irc/ferry/net/command"
)

// The commands people type in channels they run, and a few everyday
// extras (/ctcp, /whowas, /list, /cycle): thin layers over IRC lines.

// modesPerLine is how many nick modes one MODE line carries: servers
// accept at least 3 (RFC 2812's default for ISUPPORT MODES).
const modesPerLine = 3

// nickModes builds "/op a b c d": MODE #chan +ooo a b c, MODE #chan +o d.
func nickModes(sign, letter string) func(cmdContext, string) (request, error) {
	return func(ctx cmdContext, a string) (request, error) {
		nicks := strings.Fields(a)
		if len(nicks) == 0 {
			return request{}, errUsage
		}
		if !ctx.channel {
			return request{}, errors.New("this works in a channel")
		}
		var r request
		for len(nicks) > 0 {
			k := min(len(nicks), modesPerLine)
			r.cmds = append(r.cmds, command.Raw{Line: "MODE " + ctx.target + " " + sign + strings.Repeat(letter, k) + " " + strings.Join(nicks[:k], " ")})
			nicks = nicks[k:]
		}
		return r, nil
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
			return raw("MODE " + ctx.target + " +b"), nil
		}
		return nickModes(sign, "b")(ctx, strings.Join(f, " "))
	}
}

func cmdCTCP(ctx cmdContext, a string) (request, error) {
	f := splitN(a, 3)
	if len(f) < 2 || strings.ContainsAny(f[0], ",") {
		return request{}, errUsage
	}
	verb := strings.ToUpper(f[1])
	body := verb
	if len(f) == 3 {
		body += " " + f[2]
	}
	if strings.ContainsAny(body, "\x01\r\n") {
		return request{}, errors.New("/ctcp: the request cannot contain control characters")
	}
	return request{
		cmds: []command.Command{command.Raw{Line: "PRIVMSG " + f[0] + " :\x01" + body + "\x01"}},
		help: []string{"CTCP " + verb + " sent to " + f[0]},
	}, nil
}

func cmdWhowas(ctx cmdContext, a string) (request, error) {
	f := strings.Fields(a)
	if len(f) == 0 || len(f) > 2 {
		return request{}, errUsage
	}
	return raw("WHOWAS " + strings.Join(f, " ")), nil
}

func cmdList(ctx cmdContext, a string) (request, error) {
	if a = strings.TrimSpace(a); a == "" {
		return raw("LIST"), nil
	}
	return raw("LIST " + a), nil
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
