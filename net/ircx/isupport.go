package ircx

import (
	"strconv"
	"strings"
)

// DefaultLineLen is the IRC line length (RFC 1459), CRLF included, used when
// the server does not advertise LINELEN.
const DefaultLineLen = 512

// ISupport is the part of RPL_ISUPPORT (005) a client needs to interpret
// names, modes and line lengths. The zero value is not useful; start from
// DefaultISupport, which holds the values RFC 1459 servers imply.
type ISupport struct {
	Casemap     Casemap
	CasemapName string // the token as the server spelt it ("" when not sent)
	Prefixes    string // member prefix characters, highest first ("@+")
	PrefixModes string // the matching mode letters ("ov")
	ChanTypes   string // channel name prefixes ("#&")
	// ChanModes are the four CHANMODES classes: A (list, always a
	// parameter), B (always a parameter), C (parameter only when set),
	// D (never a parameter).
	ChanModes [4]string
	StatusMsg string // STATUSMSG: prefixes allowed in front of a channel target
	Network   string // NETWORK
	LineLen   int    // LINELEN, DefaultLineLen when not advertised
	// ChatHistory is CHATHISTORY (IRCv3 chathistory): the most messages one
	// CHATHISTORY request may ask for. 0 when not advertised or when the
	// server says 0 ("no maximum"); either way the client uses its own bound.
	ChatHistory int
	// MsgRefTypes is MSGREFTYPES (chathistory): the message reference types
	// the server accepts, comma-separated in its order of preference
	// ("timestamp,msgid"); "" when not advertised, meaning both may be used.
	MsgRefTypes string
	// TargMax is TARGMAX as sent ("PRIVMSG:4,NOTICE:4,JOIN:"), "" when not
	// advertised; MaxTargets interprets it. Kept as text so ISupport stays
	// comparable (Apply reports changes with ==).
	TargMax string
	// Modes is MODES: how many parameter modes one MODE line may carry.
	// 0 when not advertised, -1 when advertised without a value (no
	// limit); MaxModes interprets it.
	Modes int
	// Monitor is MONITOR (IRCv3 monitor): how many nicks our monitor list
	// may hold. 0 when not advertised (no MONITOR command), -1 when
	// advertised without a value (no limit).
	Monitor int
	// ClientTagDeny is CLIENTTAGDENY (message-tags) as sent: the client
	// tags the server drops; ClientTagAllowed interprets it.
	ClientTagDeny string
}

// DefaultISupport returns what a server that sends no 005 implies.
func DefaultISupport() ISupport {
	return ISupport{
		Casemap:     CasemapRFC1459,
		Prefixes:    "@+",
		PrefixModes: "ov",
		ChanTypes:   "#&",
		ChanModes:   [4]string{"beI", "k", "l", "imnpst"},
		LineLen:     DefaultLineLen,
	}
}

// maxLineLen bounds an advertised LINELEN: a server may raise it, but a
// hostile value must not make us build megabyte lines.
const maxLineLen = 16384

// Apply applies the tokens of one 005 line (the parameters between our nick
// and the trailing "are supported by this server") and reports whether any
// field of is changed. "-TOKEN" restores the default; malformed values are
// ignored.
func (is *ISupport) Apply(tokens []string) (changed bool) {
	before := *is
	def := DefaultISupport()
	for _, tok := range tokens {
		neg := strings.HasPrefix(tok, "-")
		if neg {
			tok = tok[1:]
		}
		key, val, _ := strings.Cut(tok, "=")
		val = unescapeValue(val)
		switch strings.ToUpper(key) {
		case "CASEMAPPING":
			if neg {
				is.Casemap, is.CasemapName = def.Casemap, ""
				continue
			}
			is.Casemap, _ = ParseCasemap(val)
			is.CasemapName = val
		case "PREFIX":
			if neg {
				is.PrefixModes, is.Prefixes = def.PrefixModes, def.Prefixes
				continue
			}
			if modes, prefixes, ok := ParsePrefix(val); ok {
				is.PrefixModes, is.Prefixes = modes, prefixes
			}
		case "CHANTYPES":
			if neg {
				is.ChanTypes = def.ChanTypes
				continue
			}
			is.ChanTypes = val
		case "CHANMODES":
			if neg {
				is.ChanModes = def.ChanModes
				continue
			}
			parts := strings.SplitN(val, ",", 5)
			var cm [4]string
			copy(cm[:], parts)
			is.ChanModes = cm
		case "STATUSMSG":
			if neg {
				is.StatusMsg = ""
				continue
			}
			is.StatusMsg = val
		case "NETWORK":
			if neg {
				is.Network = ""
				continue
			}
			is.Network = val
		case "LINELEN":
			if neg {
				is.LineLen = def.LineLen
				continue
			}
			if n, err := strconv.Atoi(val); err == nil && n >= DefaultLineLen {
				is.LineLen = min(n, maxLineLen)
			}
		case "CHATHISTORY":
			if neg {
				is.ChatHistory = 0
				continue
			}
			if n, err := strconv.Atoi(val); err == nil && n >= 0 {
				is.ChatHistory = n
			}
		case "MSGREFTYPES":
			if neg {
				is.MsgRefTypes = ""
				continue
			}
			is.MsgRefTypes = clipValue(val, maxRefTypesLen)
		case "MODES":
			switch n, err := strconv.Atoi(val); {
			case neg:
				is.Modes = 0
			case val == "":
				is.Modes = -1
			case err == nil && n > 0:
				is.Modes = min(n, maxModes)
			}
		case "MONITOR":
			switch n, err := strconv.Atoi(val); {
			case neg:
				is.Monitor = 0
			case val == "":
				is.Monitor = -1
			case err == nil && n > 0:
				is.Monitor = min(n, maxMonitor)
			}
		case "CLIENTTAGDENY":
			if neg {
				is.ClientTagDeny = ""
				continue
			}
			is.ClientTagDeny = clipValue(val, maxTargMaxLen)
		case "TARGMAX":
			if neg {
				is.TargMax = ""
				continue
			}
			is.TargMax = clipValue(val, maxTargMaxLen)
		}
	}
	return *is != before
}

// maxRefTypesLen bounds a stored MSGREFTYPES value; the known types fit
// many times over.
const maxRefTypesLen = 256

// maxTargMaxLen bounds a stored TARGMAX value; real servers send under 200
// bytes.
const maxTargMaxLen = 512

// maxMonitor bounds an advertised MONITOR limit; a list that long is
// already more than any user keeps.
const maxMonitor = 10000

// ClientTagAllowed reports whether the server relays client tag name
// (without its "+"): CLIENTTAGDENY lists denied names, "*" denies all
// but those listed with "-" (message-tags).
func (is *ISupport) ClientTagAllowed(name string) bool {
	name = strings.TrimPrefix(name, "+")
	all, denied, exempt := false, false, false
	for _, t := range strings.Split(is.ClientTagDeny, ",") {
		switch {
		case t == "*":
			all = true
		case t == "-"+name:
			exempt = true
		case t == name:
			denied = true
		}
	}
	return !denied && (!all || exempt)
}

// maxModes bounds an advertised MODES; the line length is the real limit.
const maxModes = 512

// DefaultModes is the number of parameter modes per MODE line a server
// that does not advertise MODES accepts (RFC 2812).
const DefaultModes = 3

// MaxModes returns how many parameter modes (modes of PREFIX and
// CHANMODES classes A, B and C) one MODE line may carry: MODES, or
// DefaultModes when not advertised, or 0 for no limit beyond the line
// length (MODES with no value).
func (is *ISupport) MaxModes() int {
	switch {
	case is.Modes == 0:
		return DefaultModes
	case is.Modes < 0:
		return 0
	}
	return is.Modes
}

// MaxTargets returns how many comma-separated targets one cmd line may carry
// per TARGMAX (modern.ircdocs.horse): the number given for cmd, or 0 for no
// limit — when cmd is listed with an empty number, when it is not listed, or
// when TARGMAX was not advertised (the client then has no limit to honour
// beyond the line length). A malformed or non-positive number counts as not
// listed.
func (is *ISupport) MaxTargets(cmd string) int {
	for _, item := range strings.Split(is.TargMax, ",") {
		name, num, _ := strings.Cut(item, ":")
		if !strings.EqualFold(name, cmd) {
			continue
		}
		if n, err := strconv.Atoi(num); err == nil && n > 0 {
			return n
		}
		return 0
	}
	return 0
}

// AcceptsMsgRef reports whether the server accepts chathistory message
// references of type typ ("msgid" or "timestamp"): any type when
// MSGREFTYPES was not advertised (the chathistory specification predates
// the token), else only the types it lists.
func (is *ISupport) AcceptsMsgRef(typ string) bool {
	if is.MsgRefTypes == "" {
		return true
	}
	for _, t := range strings.Split(is.MsgRefTypes, ",") {
		if strings.EqualFold(t, typ) {
			return true
		}
	}
	return false
}

func clipValue(v string, n int) string {
	if len(v) <= n {
		return v
	}
	return v[:n]
}

// ParsePrefix parses a PREFIX value such as "(qaohv)~&@%+" into its mode
// letters and prefix characters. An empty value is valid (no prefixes).
func ParsePrefix(v string) (modes, prefixes string, ok bool) {
	if v == "" {
		return "", "", true
	}
	if v[0] != '(' {
		return "", "", false
	}
	modes, prefixes, ok = strings.Cut(v[1:], ")")
	if !ok || len(modes) != len(prefixes) {
		return "", "", false
	}
	return modes, prefixes, true
}

// IsChannel reports whether name is a channel name (starts with one of
// CHANTYPES).
func (is *ISupport) IsChannel(name string) bool {
	return name != "" && strings.IndexByte(is.ChanTypes, name[0]) >= 0
}

// StripStatusMsg removes STATUSMSG prefixes from a target such as "@#chan"
// (a message to the channel's operators) and returns the channel.
func (is *ISupport) StripStatusMsg(target string) string {
	for target != "" && !is.IsChannel(target) && strings.IndexByte(is.StatusMsg+is.Prefixes, target[0]) >= 0 {
		target = target[1:]
	}
	return target
}

// PrefixForMode returns the prefix character for a prefix mode letter
// ('o' -> '@'), or 0 if mode is not a prefix mode.
func (is *ISupport) PrefixForMode(mode byte) byte {
	if i := strings.IndexByte(is.PrefixModes, mode); i >= 0 && i < len(is.Prefixes) {
		return is.Prefixes[i]
	}
	return 0
}

// PrefixRank returns the rank of prefix character p (0 is highest), or
// len(Prefixes) when p is not a prefix, so callers can sort members.
func (is *ISupport) PrefixRank(p byte) int {
	if i := strings.IndexByte(is.Prefixes, p); i >= 0 {
		return i
	}
	return len(is.Prefixes)
}

// ModeTakesParam reports whether channel mode letter mode consumes a
// parameter when set (adding) or unset, per PREFIX and CHANMODES. Unknown
// modes take none, as the CHANMODES specification recommends.
func (is *ISupport) ModeTakesParam(mode byte, adding bool) bool {
	switch {
	case strings.IndexByte(is.PrefixModes, mode) >= 0:
		return true
	case strings.IndexByte(is.ChanModes[0], mode) >= 0, strings.IndexByte(is.ChanModes[1], mode) >= 0:
		return true
	case strings.IndexByte(is.ChanModes[2], mode) >= 0:
		return adding
	}
	return false
}

// unescapeValue decodes the \xHH escapes ISUPPORT values may carry
// (e.g. NETWORK=Some\x20Net).
func unescapeValue(v string) string {
	if !strings.Contains(v, `\x`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+4 <= len(v) && v[i+1] == 'x' {
			if n, err := strconv.ParseUint(v[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
