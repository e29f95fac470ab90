package ircx

import "strings"

// CTCP framing (the \x01-delimited requests and replies inside PRIVMSG and
// NOTICE text). Every layer that builds or reads CTCP uses these two
// functions, so ACTION and the other verbs are framed in one place.

// CTCPDelim frames a CTCP message.
const CTCPDelim = "\x01"

// FormatCTCP returns the text of a CTCP message: "\x01VERB args\x01", or
// "\x01VERB\x01" when args is empty. verb is sent as given (CTCP verbs are
// upper case by convention).
func FormatCTCP(verb, args string) string {
	if args == "" {
		return CTCPDelim + verb + CTCPDelim
	}
	return CTCPDelim + verb + " " + args + CTCPDelim
}

// ParseCTCP splits text that starts with \x01 into its verb (upper-cased)
// and arguments; the closing \x01 is optional, as many clients omit it.
// ok is false for text that is not CTCP or has an empty verb.
func ParseCTCP(text string) (verb, args string, ok bool) {
	body, found := strings.CutPrefix(text, CTCPDelim)
	if !found {
		return "", "", false
	}
	body = strings.TrimSuffix(body, CTCPDelim)
	verb, args, _ = strings.Cut(body, " ")
	if verb == "" {
		return "", "", false
	}
	return strings.ToUpper(verb), args, true
}

// CTCPOverhead is how many bytes FormatCTCP adds around args for verb
// (the delimiters and the space), for budgeting split text.
func CTCPOverhead(verb string) int { return len(CTCPDelim)*2 + len(verb) + 1 }
