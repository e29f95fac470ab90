package ircx

import "strings"

// Cap is one entry of a CAP LS/NEW/DEL/ACK list: "name", "name=value", or
// (in ACK) "-name" meaning the capability was disabled.
type Cap struct {
	Name   string
	Value  string // CAP LS 302 value, e.g. "PLAIN,EXTERNAL" for sasl; "" if none
	Remove bool   // "-name" in ACK/REQ
}

// ParseCaps splits a capability list (the last parameter of CAP LS, NEW,
// DEL, ACK or NAK). Empty entries are skipped; at most limit entries are
// returned (limit <= 0 means no limit), so a hostile server cannot grow the
// caller's state without bound.
func ParseCaps(list string, limit int) []Cap {
	var caps []Cap
	for _, f := range strings.Fields(list) {
		if limit > 0 && len(caps) >= limit {
			break
		}
		var c Cap
		if f[0] == '-' {
			c.Remove = true
			f = f[1:]
		}
		c.Name, c.Value, _ = strings.Cut(f, "=")
		if c.Name == "" {
			continue
		}
		caps = append(caps, c)
	}
	return caps
}

// CapValueList splits a CAP LS 302 value that is a comma-separated list
// (sasl=PLAIN,EXTERNAL) into its items. An empty value yields nil, which for
// sasl means "mechanisms not announced", not "no mechanisms".
func CapValueList(value string) []string {
	if value == "" {
		return nil
	}
	var out []string
	for _, v := range strings.Split(value, ",") {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
