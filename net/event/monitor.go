package event

// Presence says that a nick on our monitor list (IRCv3 monitor) came
// online or went offline. The session emits one when the state it knew
// changes, and once for a nick whose state it did not know yet (just
// added, or first told after registration); a reconnect that finds a nick
// as it was says nothing.
type Presence struct {
	Meta
	Nick   string
	Online bool
	// Host is "user@host" when the server said (RPL_MONONLINE), else "".
	Host string
	// Removed says the nick left the monitor list (/monitor -nick or
	// clear): its state is unknown from now on; Online is false.
	Removed bool
}

// Typing is a typing notification (the +typing client tag) from Nick in
// Buffer (a channel, or Nick's query). State is "active", "paused" or
// "done"; the receiver expires the first two itself (the spec's 6 and 30
// seconds) and clears one when a message from Nick arrives.
type Typing struct {
	Meta
	Buffer string
	Nick   string
	State  string
}
