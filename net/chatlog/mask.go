package chatlog

import "strings"

// MaskServiceText returns text with its secret part replaced by "***" when
// it is one of our lines to a services bot that carries a password:
// "IDENTIFY hunter2" to NickServ becomes "IDENTIFY ***". Other text is
// returned unchanged. target is the line's target (a nick, possibly
// nick@server as on some networks).
//
// Services are recognised by name: *Serv (NickServ, AuthServ, ...), and the
// short names networks use (NS, Q, X). The commands masked are those whose
// arguments include a password on common services packages (Anope, Atheme,
// QuakeNet Q, Undernet X): IDENTIFY/ID, REGISTER, GHOST, RECOVER, RELEASE,
// REGAIN, AUTH, LOGIN, GROUP, SETPASS, RESETPASS, and SET PASSWORD/PASS.
// The debug log (cmd/internal/logfile) applies the same rule.
func MaskServiceText(target, text string) string {
	if !IsService(target) {
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
		return lead + cmd + " ***"
	case "SET":
		sub, _, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
		if u := strings.ToUpper(sub); u == "PASSWORD" || u == "PASS" {
			return lead + cmd + " " + sub + " ***"
		}
	}
	return text
}

// IsService reports whether target names a services bot.
func IsService(target string) bool {
	nick, _, _ := strings.Cut(target, "@")
	n := strings.ToLower(nick)
	switch n {
	case "ns", "q", "x", "nickserv", "authserv", "userserv":
		return true
	}
	return len(n) > 4 && strings.HasSuffix(n, "serv")
}
