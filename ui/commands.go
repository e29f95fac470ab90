package ui

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// cmdContext is what parsing a line needs to know about where it was typed.
type cmdContext struct {
	target   string // current buffer name; "" in the server buffer
	channel  bool   // target is a channel
	chanType string // the network's channel type characters
	networks []string
}

// request is what a typed line asks for. Commands go to the current
// network (or net); the rest is done by the model.
type request struct {
	cmds   []command.Command
	net    string   // network other than the current one (/connect NAME)
	open   string   // buffer to open and switch to (/query)
	close  bool     // close the current buffer
	quit   bool     // leave ferry; reason in quitMsg
	reason string   // /quit reason
	help   []string // lines to show in the current buffer
	clear  bool     // clear the current buffer
	search *string  // search the current buffer ("" ends the search)
	ignore *string  // /ignore (list when ""), or /unignore with unignore set
	// unignore makes ignore a removal.
	unignore bool
	resend   bool // send again the lines marked not sent (resend.go)
	// buffer names a buffer to go to (number or name), or with move set
	// the number to give the current buffer (order.go).
	buffer string
	move   bool
}

// cmdSpec describes one slash command.
type cmdSpec struct {
	usage string
	help  string
	run   func(ctx cmdContext, args string) (request, error)
}

var errUsage = errors.New("usage")

// commands maps a command name to its spec; filled in init so /help can
// refer to the table.
var commands map[string]cmdSpec

// aliases are other names for commands; /help and the README's command
// table name them with their command.
var aliases = map[string]string{"j": "join", "leave": "part", "q": "query", "quote": "raw", "w": "whois", "exit": "quit", "window": "buffer"}

func init() {
	commands = map[string]cmdSpec{
		"join": {"/join <#channel>[,<#channel>...] [key[,key...]]", "join channels (a # is added when missing)", cmdJoin},
		"part": {"/part [#channel] [reason]", "leave the current or named channel", cmdPart},
		"msg": {"/msg <target> <text>", "send a message to a nick or channel", func(ctx cmdContext, a string) (request, error) {
			return sendTo(a, event.Privmsg)
		}},
		"query": {"/query <nick> [text]", "open a private conversation, optionally sending text", cmdQuery},
		"me": {"/me <action>", "send an action (CTCP ACTION) to the current buffer", func(ctx cmdContext, a string) (request, error) {
			if a == "" {
				return request{}, errUsage
			}
			if ctx.target == "" {
				return request{}, errors.New("/me works in a channel or query, not in the server buffer")
			}
			return request{cmds: []command.Command{command.SendText{Target: ctx.target, Text: a, Kind: event.Action}}}, nil
		}},
		"notice": {"/notice <target> <text>", "send a notice", func(ctx cmdContext, a string) (request, error) {
			return sendTo(a, event.Notice)
		}},
		"nick": {"/nick <newnick>", "change your nick", func(ctx cmdContext, a string) (request, error) {
			f := strings.Fields(a)
			if len(f) != 1 {
				return request{}, errUsage
			}
			return one(command.SetNick{Nick: f[0]}), nil
		}},
		"topic": {"/topic [#channel] [new topic]", "show or set a channel topic", cmdTopic},
		"names": {"/names [#channel]", "list the members of a channel", func(ctx cmdContext, a string) (request, error) {
			ch := strings.TrimSpace(a)
			if ch == "" {
				if !ctx.channel {
					return request{}, errUsage
				}
				ch = ctx.target
			}
			return one(command.Names{Channel: ch}), nil
		}},
		"monitor": {"/monitor [+nick,-nick,...|nick|list|clear|status]", "watch when nicks come online or leave (IRCv3 MONITOR): +adds, -removes, alone lists", cmdMonitor},
		"whois": {"/whois <nick>", "show information about a nick", func(ctx cmdContext, a string) (request, error) {
			f := strings.Fields(a)
			switch {
			case len(f) == 0 && ctx.target != "" && !ctx.channel:
				return one(command.Whois{Nick: ctx.target}), nil
			case len(f) == 1:
				return one(command.Whois{Nick: f[0]}), nil
			case len(f) == 2: // /whois server nick (or nick nick: with idle time)
				return one(command.Whois{Server: f[0], Nick: f[1]}), nil
			}
			return request{}, errUsage
		}},
		"mode": {"/mode [target] <modes> [params]", "show or change modes (of the current channel by default)", cmdMode},
		"kick": {"/kick <nick> [reason]", "remove a nick from the current channel", func(ctx cmdContext, a string) (request, error) {
			f := splitN(a, 2)
			if len(f) == 0 {
				return request{}, errUsage
			}
			if !ctx.channel {
				return request{}, errors.New("/kick works in a channel")
			}
			k := command.Kick{Channel: ctx.target, Nick: f[0]}
			if len(f) == 2 {
				k.Reason = f[1]
			}
			return one(k), nil
		}},
		"invite": {"/invite <nick> [#channel]", "invite a nick to the current or named channel", func(ctx cmdContext, a string) (request, error) {
			f := strings.Fields(a)
			switch {
			case len(f) == 1 && ctx.channel:
				f = append(f, ctx.target)
			case len(f) == 1, len(f) == 0, len(f) > 2:
				return request{}, errUsage
			}
			return one(command.Invite{Nick: f[0], Channel: f[1]}), nil
		}},
		"away": {"/away [message]", "mark yourself away (no message: back)", func(ctx cmdContext, a string) (request, error) {
			return one(command.Away{Message: a}), nil
		}},
		"quit": {"/quit [reason]", "send QUIT to every network and leave ferry", func(ctx cmdContext, a string) (request, error) {
			return request{quit: true, reason: a}, nil
		}},
		"close": {"/close", "close the current buffer (leaving the channel)", func(ctx cmdContext, a string) (request, error) {
			if ctx.target == "" {
				return request{}, errors.New("the server buffer cannot be closed; use /disconnect")
			}
			return request{close: true}, nil
		}},
		"connect": {"/connect [network]", "connect a disconnected network", func(ctx cmdContext, a string) (request, error) {
			return onNetwork(ctx, a, func(string) command.Command { return command.Connect{} })
		}},
		"disconnect": {"/disconnect [network] [reason]", "disconnect (QUIT) and stay disconnected", func(ctx cmdContext, a string) (request, error) {
			return onNetwork(ctx, a, func(reason string) command.Command { return command.Disconnect{Reason: reason} })
		}},
		"reconnect": {"/reconnect [network]", "close the connection and connect again", func(ctx cmdContext, a string) (request, error) {
			return onNetwork(ctx, a, func(string) command.Command { return command.Reconnect{} })
		}},
		"raw": {"/raw <line>", "send a raw IRC line", func(ctx cmdContext, a string) (request, error) {
			if a == "" {
				return request{}, errUsage
			}
			return raw(a), nil
		}},
		"migrate": {"/migrate <server>", "ask the network to move you to another server", func(ctx cmdContext, a string) (request, error) {
			f := strings.Fields(a)
			if len(f) != 1 {
				return request{}, errUsage
			}
			return one(command.Migrate{Server: f[0]}), nil
		}},
		"clear": {"/clear", "clear the current buffer's scrollback", func(ctx cmdContext, a string) (request, error) {
			return request{clear: true}, nil
		}},
		"search": {"/search [text]", "find text in this buffer (Ctrl+F older, Ctrl+G newer, Esc ends), and in the server's history where it offers search; no text ends the search", func(ctx cmdContext, a string) (request, error) {
			return request{search: &a}, nil
		}},
		"help":   {"/help [command|keys]", "list commands and the main keys, explain one command, or list every key", cmdHelp},
		"ctcp":   {"/ctcp <nick> <request> [args]", "send a CTCP request (VERSION, PING, TIME, ...); the reply shows in the server buffer", cmdCTCP},
		"whowas": {"/whowas <nick> [count]", "show who last used a nick", cmdWhowas},
		"setname": {"/setname <realname>", "change your realname while connected (where the server offers setname)", func(ctx cmdContext, a string) (request, error) {
			if a == "" {
				return request{}, errUsage
			}
			return one(command.SetName{Realname: a}), nil
		}},
		"list":    {"/list [#channel|filter]", "list the network's channels (in the buffer you asked from where the server labels replies, else the server buffer)", cmdList},
		"cycle":   {"/cycle [key]", "leave and rejoin the current channel", cmdCycle},
		"op":      {"/op <nick> [nick...]", "give channel operator status (+o)", nickModes("+", "o")},
		"deop":    {"/deop <nick> [nick...]", "take channel operator status (-o)", nickModes("-", "o")},
		"voice":   {"/voice <nick> [nick...]", "give voice (+v)", nickModes("+", "v")},
		"devoice": {"/devoice <nick> [nick...]", "take voice (-v)", nickModes("-", "v")},
		"ban":     {"/ban [nick|mask...]", "ban nicks (as nick!*@*) or masks from the current channel; alone, list the bans", banModes("+")},
		"ignore": {"/ignore [nick|mask]", "hide a nick's (or a nick!user@host mask's, with * and ?) messages, notices, CTCPs and invites on this network; alone, list them", func(ctx cmdContext, a string) (request, error) {
			return request{ignore: &a}, nil
		}},
		"unignore": {"/unignore <nick|mask>", "show a nick's messages again", func(ctx cmdContext, a string) (request, error) {
			if strings.TrimSpace(a) == "" {
				return request{}, errUsage
			}
			return request{ignore: &a, unignore: true}, nil
		}},
		"unban":   {"/unban <nick|mask> [...]", "lift bans", banModes("-")},
		"buffer":  {"/buffer <number|name> or /buffer move <number>", "go to a buffer by its number in the sidebar or by name (a unique beginning will do); move gives the current buffer that number in its network, the order being kept across restarts", cmdBuffer},
		"bouncer": {`/bouncer listnetworks | addnetwork host=... [name="..."] | delnetwork <id|name>`, "list, add or remove a bouncer's networks (soju.im/bouncer-networks); each is shown as a network of its own", cmdBouncer},
		"resend": {"/resend", "send again, once each, this buffer's lines marked not sent (✗): failed, or typed before ferry last ended", func(ctx cmdContext, a string) (request, error) {
			return request{resend: true}, nil
		}},
	}
}

// parseLine turns a typed line into a request. A line not starting with
// "/" (or starting with "//", which sends the rest with one slash) is text
// for the current buffer. Errors are sentences for the user.
func parseLine(ctx cmdContext, line string) (request, error) {
	if !strings.HasPrefix(line, "/") || strings.HasPrefix(line, "//") {
		if strings.HasPrefix(line, "//") {
			line = line[1:]
		}
		if ctx.target == "" {
			return request{}, errors.New("this is the server buffer: use /msg <target> <text>, or /join a channel")
		}
		return one(command.SendText{Target: ctx.target, Text: line, Kind: event.Privmsg}), nil
	}
	name, args, _ := strings.Cut(line[1:], " ")
	name = strings.ToLower(name)
	args = strings.TrimSpace(args)
	if a, ok := aliases[name]; ok {
		name = a
	}
	if name == "" {
		return request{}, errors.New("empty command; /help lists the commands")
	}
	spec, ok := commands[name]
	if !ok {
		return request{}, fmt.Errorf("unknown command /%s; /help lists the commands", name)
	}
	r, err := spec.run(ctx, args)
	if errors.Is(err, errUsage) {
		return request{}, fmt.Errorf("/%s: missing or wrong argument; usage: %s", name, spec.usage)
	}
	return r, err
}

func one(c command.Command) request { return request{cmds: []command.Command{c}} }

// raw is /raw's request: the line exactly as typed. Every other command
// is typed (command.Kick, command.Mode, ...) and built by the session.
func raw(line string) request { return one(command.Raw{Line: line}) }

// splitN splits s into at most n space-separated fields, the last one
// being the rest of s.
func splitN(s string, n int) []string {
	var out []string
	s = strings.TrimSpace(s)
	for s != "" && len(out) < n-1 {
		f, rest, _ := strings.Cut(s, " ")
		out = append(out, f)
		s = strings.TrimLeft(rest, " ")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

func sendTo(a string, kind event.MsgKind) (request, error) {
	f := splitN(a, 2)
	if len(f) < 2 {
		return request{}, errUsage
	}
	return one(command.SendText{Target: f[0], Text: f[1], Kind: kind}), nil
}

func withChanType(ctx cmdContext, name string) string {
	ct := ctx.chanType
	if ct == "" {
		ct = "#&"
	}
	if name != "" && strings.IndexByte(ct, name[0]) < 0 {
		return ct[:1] + name
	}
	return name
}

func cmdJoin(ctx cmdContext, a string) (request, error) {
	f := strings.Fields(a)
	if len(f) == 0 || len(f) > 2 {
		return request{}, errUsage
	}
	chans := strings.Split(f[0], ",")
	var keys []string
	if len(f) == 2 {
		keys = strings.Split(f[1], ",")
	}
	var r request
	for i, c := range chans {
		if c == "" {
			continue
		}
		j := command.Join{Channel: withChanType(ctx, c)}
		if i < len(keys) {
			j.Key = keys[i]
		}
		r.cmds = append(r.cmds, j)
	}
	if len(r.cmds) == 0 {
		return request{}, errUsage
	}
	return r, nil
}

func (ctx cmdContext) isChannel(s string) bool {
	ct := ctx.chanType
	if ct == "" {
		ct = "#&"
	}
	return s != "" && strings.IndexByte(ct, s[0]) >= 0
}

// cmdBuffer is /buffer (and /window): N, a name, or move N.
func cmdBuffer(ctx cmdContext, a string) (request, error) {
	f := strings.Fields(a)
	switch {
	case len(f) == 1:
		return request{buffer: f[0]}, nil
	case len(f) == 2 && strings.EqualFold(f[0], "move"):
		return request{buffer: f[1], move: true}, nil
	}
	return request{}, errUsage
}

func cmdPart(ctx cmdContext, a string) (request, error) {
	f := splitN(a, 2)
	ch, reason := ctx.target, a
	if len(f) > 0 && ctx.isChannel(f[0]) {
		ch, reason = f[0], ""
		if len(f) == 2 {
			reason = f[1]
		}
	} else if !ctx.channel {
		return request{}, errUsage
	}
	return one(command.Part{Channel: ch, Reason: reason}), nil
}

func cmdQuery(ctx cmdContext, a string) (request, error) {
	f := splitN(a, 2)
	if len(f) == 0 {
		return request{}, errUsage
	}
	if ctx.isChannel(f[0]) {
		return request{}, errors.New("/query opens a conversation with a nick; use /join for channels")
	}
	r := request{open: f[0]}
	if len(f) == 2 {
		r.cmds = []command.Command{command.SendText{Target: f[0], Text: f[1], Kind: event.Privmsg}}
	}
	return r, nil
}

func cmdTopic(ctx cmdContext, a string) (request, error) {
	f := splitN(a, 2)
	ch, text := ctx.target, a
	if len(f) > 0 && ctx.isChannel(f[0]) {
		ch, text = f[0], ""
		if len(f) == 2 {
			text = f[1]
		}
	} else if !ctx.channel {
		return request{}, errUsage
	}
	return one(command.Topic{Channel: ch, Text: text, Set: text != ""}), nil
}

func cmdMode(ctx cmdContext, a string) (request, error) {
	f := strings.Fields(a)
	if len(f) == 0 || f[0][0] == '+' || f[0][0] == '-' {
		if !ctx.channel {
			return request{}, errUsage
		}
		f = append([]string{ctx.target}, f...)
	}
	m := command.Mode{Target: f[0]}
	if len(f) > 1 {
		m.Modes = f[1]
	}
	if len(f) > 2 {
		m.Args = f[2:]
	}
	return one(m), nil
}

// onNetwork builds a per-network command; a first argument naming a
// configured network selects it, the rest is the reason.
func onNetwork(ctx cmdContext, a string, mk func(reason string) command.Command) (request, error) {
	f := splitN(a, 2)
	var r request
	if len(f) > 0 {
		for _, n := range ctx.networks {
			if n == f[0] {
				r.net = n
				a = ""
				if len(f) == 2 {
					a = f[1]
				}
				break
			}
		}
	}
	r.cmds = []command.Command{mk(a)}
	return r, nil
}

func cmdHelp(ctx cmdContext, a string) (request, error) {
	name := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(a)), "/")
	if name == "keys" {
		return request{help: keyHelp()}, nil
	}
	if name != "" {
		if al, ok := aliases[name]; ok {
			name = al
		}
		spec, ok := commands[name]
		if !ok {
			return request{}, fmt.Errorf("/help: no command /%s; /help lists the commands", name)
		}
		text := spec.usage + " — " + spec.help
		if al := aliasesOf(name); len(al) > 0 {
			text += " (also /" + strings.Join(al, ", /") + ")"
		}
		return request{help: []string{text}}, nil
	}
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	// One line each: the view wraps them at word boundaries to any width,
	// where fixed groups would break mid-group on a narrow terminal.
	lines := []string{"commands: /" + strings.Join(names, " /") + " (/help <command> for details)"}
	var al []string
	for _, n := range names {
		for _, a := range aliasesOf(n) {
			al = append(al, "/"+a+" = /"+n)
		}
	}
	lines = append(lines, "short names: "+strings.Join(al, ", "), keySummary())
	return request{help: lines}, nil
}

// aliasesOf returns the aliases of command name, sorted.
func aliasesOf(name string) []string {
	var out []string
	for a, n := range aliases {
		if n == name {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// commandNames returns "/join", "/part", ... sorted, for completion.
func commandNames() []string {
	out := make([]string, 0, len(commands))
	for n := range commands {
		out = append(out, "/"+n)
	}
	sort.Strings(out)
	return out
}
