package testnet

import (
	"strconv"
	"strings"
)

// defaultISupport is what every node advertises unless its NodeConfig says
// otherwise; ferry's session reads CASEMAPPING, PREFIX, CHANTYPES, CHANMODES
// and NETWORK from it.
func defaultISupport() []string {
	return []string{
		"CASEMAPPING=rfc1459",
		"CHANTYPES=#",
		"PREFIX=(ov)@+",
		"CHANMODES=,,,nt",
		"NETWORK=" + networkName,
		"NICKLEN=30",
		"CHANNELLEN=50",
		"TOPICLEN=390",
		"CHANLIMIT=#:100",
		"CHATHISTORY=100",
		"MSGREFTYPES=msgid,timestamp",
		"MONITOR=" + strconv.Itoa(monitorLimit),
	}
}

func tokenName(t string) string {
	name, _, _ := strings.Cut(strings.TrimPrefix(t, "-"), "=")
	return name
}

// mergeISupport applies a node's overrides ("NAME=value" replaces or adds,
// "-NAME" removes) to the defaults, keeping the order stable.
func mergeISupport(base, over []string) []string {
	out := append([]string(nil), base...)
	for _, o := range over {
		name := tokenName(o)
		if name == "" {
			continue
		}
		idx := -1
		for i, t := range out {
			if tokenName(t) == name {
				idx = i
				break
			}
		}
		switch {
		case strings.HasPrefix(o, "-"):
			if idx >= 0 {
				out = append(out[:idx], out[idx+1:]...)
			}
		case idx >= 0:
			out[idx] = o
		default:
			out = append(out, o)
		}
	}
	return out
}

// isupportDiff lists the 005 tokens a client moving from old to new must
// be told: tokens new adds or changes, and "-NAME" for tokens it lacks.
func isupportDiff(old, new []string) []string {
	oldBy := map[string]string{}
	for _, t := range old {
		oldBy[tokenName(t)] = t
	}
	newBy := map[string]bool{}
	var out []string
	for _, t := range new {
		newBy[tokenName(t)] = true
		if oldBy[tokenName(t)] != t {
			out = append(out, t)
		}
	}
	for _, t := range old {
		if !newBy[tokenName(t)] {
			out = append(out, "-"+tokenName(t))
		}
	}
	return out
}

// fold maps a nick or channel name to its rfc1459 case-folded form, the
// key under which the network stores it.
func fold(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			b[i] = c + 32
		case c == '[':
			b[i] = '{'
		case c == ']':
			b[i] = '}'
		case c == '\\':
			b[i] = '|'
		case c == '~':
			b[i] = '^'
		}
	}
	return string(b)
}

func validNick(s string) bool {
	if s == "" || len(s) > maxNickLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		special := strings.IndexByte("[]\\`_^{|}", c) >= 0
		if letter || special {
			continue
		}
		if i > 0 && (c >= '0' && c <= '9' || c == '-') {
			continue
		}
		return false
	}
	return true
}

func validChannel(s string) bool {
	if len(s) < 2 || len(s) > maxChannelLen || s[0] != '#' {
		return false
	}
	return !strings.ContainsAny(s, " ,\x07\x00\r\n:")
}

// validToken reports whether s is a MIGRATE token: 1 to 128 characters of
// A-Z a-z 0-9 . _ ~ + / = - (net/migrate/SPEC.md section 2).
func validToken(s string) bool {
	if len(s) < 1 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._~+/=-", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
