package ircx

import "time"

// ServerTimeLayout is the IRCv3 server-time format
// (YYYY-MM-DDThh:mm:ss.sssZ, always UTC, millisecond precision), also the
// format of chathistory's timestamp= message references.
const ServerTimeLayout = "2006-01-02T15:04:05.000Z"

// FormatServerTime formats t as a server-time value. Precision below a
// millisecond is cut (not rounded), so a reference built from a message's
// time never points after that message.
func FormatServerTime(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format(ServerTimeLayout)
}
