package logfile

import (
	"strings"

	"github.com/ferry-irc/ferry/net/chatlog"
)

// maxLeadWords is how many words of tag may stand before the IRC message
// in a line: net/conn's traffic lines read "conn NET: host:port -> CMD ...",
// the command being the fifth word.
const maxLeadWords = 6

// Mask returns line, a raw IRC line optionally preceded by a short tag
// ("libera > PASS x", "< :s1 MIGRATE START ..."), with its secrets
// replaced by "***":
//
//	PASS <password>                          -> PASS ***
//	AUTHENTICATE <payload>                   -> AUTHENTICATE *** (mechanism names, "+" and "*" kept)
//	MIGRATE START host port <rt> <ct> [name] -> MIGRATE START host port *** *** [name]
//	MIGRATE OK|NAK|PROCEED|RESUME|CONFIRM <token> -> MIGRATE OK *** ...
//	FAIL MIGRATE ABORTED|INVALID_TOKEN <token> :text -> FAIL MIGRATE ABORTED *** :text
//	OPER <name> <password>                   -> OPER name ***
//	PRIVMSG NickServ :IDENTIFY <password>    -> PRIVMSG NickServ :IDENTIFY *** (chatlog.MaskServiceText)
//	NICKSERV|NS IDENTIFY <password>          -> NICKSERV IDENTIFY ***
//
// Other lines are returned unchanged. The message is looked for at each of
// the first few words, so a tag before it does not hide it; masking a word
// of prose that happens to be a command name is the accepted cost.
func Mask(line string) string {
	body := strings.TrimRight(line, "\r\n")
	suffix := line[len(body):]
	start := 0
	for word := 0; word < maxLeadWords && start < len(body); word++ {
		if out, ok := maskMessage(body[start:]); ok {
			return body[:start] + out + suffix
		}
		if looksLikeMessage(body[start:]) {
			break // the message is here and has no secret
		}
		sp := strings.IndexByte(body[start:], ' ')
		if sp < 0 {
			break
		}
		start += sp + 1
		for start < len(body) && body[start] == ' ' {
			start++
		}
	}
	return line
}

// looksLikeMessage reports whether s starts like an IRC message: tags, a
// prefix, or an upper-case command or numeric.
func looksLikeMessage(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '@' || s[0] == ':' {
		return true
	}
	cmd, _, _ := strings.Cut(s, " ")
	for i := 0; i < len(cmd); i++ {
		if !(cmd[i] >= 'A' && cmd[i] <= 'Z' || cmd[i] >= '0' && cmd[i] <= '9') {
			return false
		}
	}
	return true
}

// maskMessage masks s if it is an IRC message ([@tags] [:prefix] COMMAND
// params) with a secret; ok is false when nothing was masked.
func maskMessage(s string) (string, bool) {
	var head strings.Builder
	rest := s
	for _, lead := range []byte{'@', ':'} {
		if strings.HasPrefix(rest, string(lead)) {
			tok, r, found := strings.Cut(rest, " ")
			if !found {
				return "", false
			}
			head.WriteString(tok + " ")
			rest = strings.TrimLeft(r, " ")
		}
	}
	cmd, r, _ := strings.Cut(rest, " ")
	params, trailing := splitParams(r)
	params, ok := maskParams(strings.ToUpper(cmd), params)
	if !ok {
		return "", false
	}
	head.WriteString(cmd)
	for i, p := range params {
		head.WriteByte(' ')
		if i == len(params)-1 && (trailing || p == "" || strings.ContainsRune(p, ' ') || p[0] == ':') {
			head.WriteByte(':')
		}
		head.WriteString(p)
	}
	return head.String(), true
}

// splitParams splits IRC parameters; trailing reports that the last one
// was given with a leading ':'.
func splitParams(s string) (params []string, trailing bool) {
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return params, false
		}
		if s[0] == ':' {
			return append(params, s[1:]), true
		}
		p, r, _ := strings.Cut(s, " ")
		params = append(params, p)
		s = r
	}
}

const secret = "***"

// mechanisms are the AUTHENTICATE arguments that name a SASL mechanism
// rather than carry a payload.
var mechanisms = map[string]bool{
	"PLAIN": true, "EXTERNAL": true, "SCRAM-SHA-1": true, "SCRAM-SHA-256": true, "SCRAM-SHA-512": true,
	"ECDSA-NIST256P-CHALLENGE": true, "ANONYMOUS": true, "OAUTHBEARER": true, "+": true, "*": true,
}

// migrateContextKept are the FAIL MIGRATE codes whose context is a server
// name, not a token.
var migrateContextKept = map[string]bool{"UNKNOWN_SERVER": true, "NOT_ALLOWED": true, "IN_PROGRESS": true}

// maskParams returns cmd's parameters with the secret ones masked, and
// whether any was.
func maskParams(cmd string, p []string) ([]string, bool) {
	changed := maskInPlace(cmd, p)
	switch cmd {
	case "NICKSERV", "NS", "CHANSERV", "CS":
		text := strings.Join(p, " ")
		if m := chatlog.MaskServiceText("NickServ", text); m != text {
			return strings.Fields(m), true
		}
	}
	return p, changed
}

func maskInPlace(cmd string, p []string) bool {
	set := func(i int) bool {
		if i < len(p) && p[i] != secret {
			p[i] = secret
			return true
		}
		return false
	}
	switch cmd {
	case "PASS":
		changed := false
		for i := range p {
			changed = set(i) || changed
		}
		return changed
	case "AUTHENTICATE":
		if len(p) > 0 && !mechanisms[strings.ToUpper(p[0])] {
			return set(0)
		}
	case "OPER":
		return set(1)
	case "MIGRATE":
		if len(p) == 0 {
			return false
		}
		switch strings.ToUpper(p[0]) {
		case "START":
			a := set(3)
			return set(4) || a
		case "OK", "NAK", "PROCEED", "RESUME", "CONFIRM":
			return set(1)
		case "REQUEST":
			return false
		default: // unknown subcommand: assume its arguments are tokens
			changed := false
			for i := 1; i < len(p); i++ {
				changed = set(i) || changed
			}
			return changed
		}
	case "FAIL", "WARN", "NOTE":
		if len(p) >= 3 && strings.EqualFold(p[0], "MIGRATE") && !migrateContextKept[strings.ToUpper(p[1])] {
			changed := false
			for i := 2; i < len(p)-1; i++ { // the last parameter is the description
				changed = set(i) || changed
			}
			return changed
		}
	case "PRIVMSG", "NOTICE":
		if len(p) == 2 {
			if m := chatlog.MaskServiceText(p[0], p[1]); m != p[1] {
				p[1] = m
				return true
			}
		}
	case "IDENTIFY", "LOGIN":
		changed := false
		for i := range p {
			changed = set(i) || changed
		}
		return changed
	}
	return false
}
