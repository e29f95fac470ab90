package ircx

import (
	"strings"

	"gopkg.in/irc.v4"
)

// Secrets in lines: the one rule for which nicks are services bots and
// which parameters of which lines carry a password, used by the debug log
// (net/conn, cmd/internal/logfile) and the chat logs (net/chatlog). MIGRATE
// tokens are net/migrate's to find (migrate.Redact): callers mask those
// lines with it.

// Secret replaces a masked parameter or password.
const Secret = "***"

// IsServiceTarget reports whether target (a nick, or nick@server as some
// networks want for services) names a services bot, whose lines may carry
// passwords: any *Serv nick (NickServ, ChanServ, AuthServ, ...), the NS and
// CS aliases, and the Q and X bots of QuakeNet and Undernet. Compared
// without regard to case, as users type them.
func IsServiceTarget(target string) bool {
	nick, _, _ := strings.Cut(target, "@")
	if len(nick) > 4 && strings.EqualFold(nick[len(nick)-4:], "serv") {
		return true
	}
	switch strings.ToUpper(nick) {
	case "NS", "CS", "Q", "X":
		return true
	}
	return false
}

// IsServiceAlias reports whether cmd is a server-side alias command for a
// services bot ("NICKSERV IDENTIFY pw", "NS IDENTIFY pw"), whose
// parameters are that bot's text.
func IsServiceAlias(cmd string) bool {
	switch strings.ToUpper(cmd) {
	case "NICKSERV", "NS", "CHANSERV", "CS", "AUTHSERV", "AS", "HOSTSERV", "HS",
		"MEMOSERV", "MS", "OPERSERV", "OS", "BOTSERV", "BS", "USERSERV":
		return true
	}
	return false
}

// MaskServiceText returns text with its secret part replaced by Secret
// when it is a line to a services bot (IsServiceTarget) that carries a
// password: "IDENTIFY hunter2" to NickServ becomes "IDENTIFY ***". Other
// text is returned unchanged. The verb is kept so that a log still says
// what was done. The verbs are those whose arguments include a password
// on common services packages (Anope, Atheme, QuakeNet Q, Undernet X):
// IDENTIFY/ID, REGISTER, GHOST, RECOVER, RELEASE, REGAIN, AUTH, LOGIN,
// GROUP, SETPASS, RESETPASS, and SET PASSWORD/PASS.
func MaskServiceText(target, text string) string {
	if !IsServiceTarget(target) {
		return text
	}
	trimmed := strings.TrimLeft(text, " ")
	lead := text[:len(text)-len(trimmed)]
	cmd, rest, ok := strings.Cut(trimmed, " ")
	if !ok || strings.TrimSpace(rest) == "" {
		return text
	}
	switch strings.ToUpper(cmd) {
	case "IDENTIFY", "ID", "REGISTER", "GHOST", "RECOVER", "RELEASE", "REGAIN",
		"AUTH", "LOGIN", "GROUP", "SETPASS", "RESETPASS":
		return lead + cmd + " " + Secret
	case "SET":
		sub, _, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
		if u := strings.ToUpper(sub); u == "PASSWORD" || u == "PASS" {
			return lead + cmd + " " + sub + " " + Secret
		}
	}
	return text
}

// mechanisms are the AUTHENTICATE arguments that name a SASL mechanism
// or a step rather than carry a payload.
var mechanisms = map[string]bool{
	"PLAIN": true, "EXTERNAL": true, "SCRAM-SHA-1": true, "SCRAM-SHA-256": true, "SCRAM-SHA-512": true,
	"ECDSA-NIST256P-CHALLENGE": true, "ANONYMOUS": true, "OAUTHBEARER": true, "+": true, "*": true,
}

// MaskParams returns the parameters p of a cmd line with those that carry
// a secret replaced (p's array is reused), and whether it changed any. cmd is compared without
// regard to case (a /raw line keeps the case the user typed):
//
//	PASS <password>                        -> PASS ***
//	AUTHENTICATE <payload>                 -> AUTHENTICATE *** (mechanism names, "+" and "*" kept)
//	OPER <name> <password>                 -> OPER name ***
//	BOUNCER ADDNETWORK|CHANGENETWORK|NETWORK ... pass=<password> -> pass=*** (soju.im/bouncer-networks)
//	IDENTIFY|LOGIN <args>                  -> IDENTIFY *** (every argument)
//	PRIVMSG|NOTICE <service> :<text>       -> the text through MaskServiceText
//	NICKSERV|NS|CHANSERV|... <text words>  -> the words through MaskServiceText
//
// MIGRATE and FAIL MIGRATE lines are not masked here: see migrate.Redact.
func MaskParams(cmd string, p []string) ([]string, bool) {
	set := func(i int) bool {
		if i < len(p) && p[i] != Secret {
			p[i] = Secret
			return true
		}
		return false
	}
	all := func(from int) bool {
		changed := false
		for i := from; i < len(p); i++ {
			changed = set(i) || changed
		}
		return changed
	}
	switch cmd = strings.ToUpper(cmd); cmd {
	case "PASS", "IDENTIFY", "LOGIN":
		return p, all(0)
	case "AUTHENTICATE":
		if len(p) > 0 && !mechanisms[strings.ToUpper(p[0])] {
			return p, set(0)
		}
	case "OPER":
		return p, set(1)
	case "BOUNCER":
		if len(p) > 1 {
			i := len(p) - 1
			if m := maskAttr(p[i], "pass"); m != p[i] {
				p[i] = m
				return p, true
			}
		}
	case "PRIVMSG", "NOTICE":
		if len(p) == 2 {
			if m := MaskServiceText(p[0], p[1]); m != p[1] {
				p[1] = m
				return p, true
			}
		}
	default:
		if !IsServiceAlias(cmd) || len(p) == 0 {
			return p, false
		}
		// The alias's parameters are the bot's text, split into words
		// (or not, when the text was sent as one trailing parameter).
		text := strings.Join(p, " ")
		if m := MaskServiceText("NickServ", text); m != text {
			return strings.Fields(m), true
		}
	}
	return p, false
}

// MaskSecrets renders m for a log with the secrets MaskParams knows
// replaced by Secret; m itself is not changed. MIGRATE tokens are left to
// migrate.Redact, which the caller applies to those lines.
func MaskSecrets(m *irc.Message) string {
	if m == nil {
		return ""
	}
	p, changed := MaskParams(m.Command, append([]string(nil), m.Params...))
	if !changed {
		return m.String()
	}
	c := m.Copy()
	c.Params = p
	return c.String()
}

// maskAttr replaces the value of attribute key in a "k=v;k2=v2" list
// (the message-tags format of soju.im/bouncer-networks) with Secret.
func maskAttr(attrs, key string) string {
	parts := strings.Split(attrs, ";")
	changed := false
	for i, part := range parts {
		if k, v, _ := strings.Cut(part, "="); k == key && v != "" && v != Secret {
			parts[i] = k + "=" + Secret
			changed = true
		}
	}
	if !changed {
		return attrs
	}
	return strings.Join(parts, ";")
}
