package command

// The IRC requests behind the everyday slash commands. The UI says what it
// wants in IRC terms; the session builds and validates the lines (with the
// server's ISUPPORT in hand), so no wire string is built in the UI and
// parsed back. Free text (reasons, topics, away messages, CTCP arguments)
// is refused when it holds CR, LF or NUL rather than sent as a broken line.

// ToServer is a Command that becomes lines to the server: the connection
// owner hands every ToServer to the session's Submit, which builds the
// lines (or refuses bad input with an Info). The other commands (Connect,
// Disconnect, Reconnect, Quit, Migrate) the owner carries out itself.
type ToServer interface {
	Command
	toServer()
}

// Kick removes Nick from Channel (KICK Channel Nick [:Reason]).
type Kick struct {
	Channel string
	Nick    string
	Reason  string // optional; the server may use its default
}

// Away marks us away with Message (AWAY :Message); an empty Message marks
// us back (AWAY with no parameter).
type Away struct{ Message string }

// Names asks for Channel's member list (NAMES Channel). The answer comes
// back as an event.Names, like the one after a join; the UI, which knows it
// asked, may show it as a line.
type Names struct{ Channel string }

// Topic reads Channel's topic (TOPIC Channel) or, with Set, sets it to
// Text (TOPIC Channel :Text); Set with an empty Text clears the topic.
type Topic struct {
	Channel string
	Text    string
	Set     bool
}

// Mode shows or changes the modes of Target, a channel or our own nick
// (MODE Target Modes Args...). Empty Modes (and no Args) asks for the
// current modes; "+b" alone lists the bans. For a channel, a change with
// more parameter modes than the server's ISUPPORT MODES allows per line
// (/op a b c d with MODES=3) is split by the session into several lines,
// each within that limit and the line length.
type Mode struct {
	Target string
	Modes  string   // e.g. "+oo", "-v", "+k-l"
	Args   []string // the parameters of the modes that take one, in order
}

// Invite invites Nick to Channel (INVITE Nick Channel).
type Invite struct {
	Nick    string
	Channel string
}

// Whois asks about Nick (WHOIS Nick). With Server, the request goes to
// that server (WHOIS Server Nick); giving the nick itself as Server asks
// the nick's own server, which knows its idle time.
type Whois struct {
	Nick   string
	Server string
}

// Whowas asks who last used Nick (WHOWAS Nick [Count]); Count <= 0 lets
// the server choose how many entries to return.
type Whowas struct {
	Nick  string
	Count int
}

// List asks for the network's channels (LIST [Filter]). Filter is a
// channel, a comma-separated list of channels or masks, or an ELIST
// condition such as ">10"; empty lists every channel.
type List struct{ Filter string }

// CTCP sends a CTCP request to Target (PRIVMSG Target :\x01Verb Args\x01),
// e.g. Verb "VERSION" or "PING" with a token in Args. The verb is sent in
// upper case; the reply comes back as an event.CTCP. ACTION is not a
// request: /me is a SendText with Kind Action.
type CTCP struct {
	Target string
	Verb   string
	Args   string
}

func (Kick) isCommand()   {}
func (Away) isCommand()   {}
func (Names) isCommand()  {}
func (Topic) isCommand()  {}
func (Mode) isCommand()   {}
func (Invite) isCommand() {}
func (Whois) isCommand()  {}
func (Whowas) isCommand() {}
func (List) isCommand()   {}
func (CTCP) isCommand()   {}

func (Kick) toServer()   {}
func (Away) toServer()   {}
func (Names) toServer()  {}
func (Topic) toServer()  {}
func (Mode) toServer()   {}
func (Invite) toServer() {}
func (Whois) toServer()  {}
func (Whowas) toServer() {}
func (List) toServer()   {}
func (CTCP) toServer()   {}

func (SendText) toServer()     {}
func (Join) toServer()         {}
func (Part) toServer()         {}
func (SetNick) toServer()      {}
func (Raw) toServer()          {}
func (Search) toServer()       {}
func (FetchHistory) toServer() {}
func (MarkRead) toServer()     {}
