package logfile

import (
	"strings"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/ircx"
	"github.com/ferry-irc/ferry/net/migrate"
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
//	PRIVMSG NickServ :IDENTIFY <password>    -> PRIVMSG NickServ :IDENTIFY *** (ircx.MaskServiceText)
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

// maskParams returns cmd's parameters with the secret ones masked, and
// whether any was: MIGRATE tokens where migrate.Redact finds them, every
// other secret by ircx.MaskParams, the rule the rest of ferry uses.
func maskParams(cmd string, p []string) ([]string, bool) {
	switch cmd {
	case "MIGRATE", "FAIL", "WARN", "NOTE":
		return maskMigrate(cmd, p)
	}
	return ircx.MaskParams(cmd, p)
}

// maskMigrate masks the tokens of a MIGRATE line, or of a standard reply
// about MIGRATE (a WARN or NOTE is read as the FAIL it is shaped like), at
// the parameters migrate.Redact masks.
func maskMigrate(cmd string, p []string) ([]string, bool) {
	m := &irc.Message{Command: cmd, Params: append([]string(nil), p...)}
	if cmd != "MIGRATE" {
		if len(p) == 0 || !strings.EqualFold(p[0], "MIGRATE") {
			return p, false
		}
		m.Command, m.Params[0] = "FAIL", "MIGRATE"
	} else if len(p) > 0 {
		m.Params[0] = strings.ToUpper(p[0])
	}
	r, err := ircx.ParseMessage(migrate.Redact(m))
	if err != nil || len(r.Params) != len(p) {
		return p, false
	}
	changed := false
	for i := range p {
		if r.Params[i] == migrate.Masked && p[i] != ircx.Secret {
			p[i], changed = ircx.Secret, true
		}
	}
	return p, changed
}
