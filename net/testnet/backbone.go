package testnet

import "gopkg.in/irc.v4"

// backbone is what a node's connection handling needs from the part of
// the network outside its process. The same handlers (registration,
// chat, both sides of a migration, history, search) serve both modes over
// this process's view of the network; only the backbone differs. In
// process every node and user is here and there is nothing to do
// (inProcess); in cluster mode it is NATS (*cluster, natsbus.go). Every
// method is called under Network.mu.
type backbone interface {
	// shares reports whether other processes must hear of state changes;
	// callers build events only then.
	shares() bool
	// claimNick takes nick for u network-wide (giving u its network-wide
	// id on its first claim): errNickTaken when someone else has it,
	// errStateUnavailable when that cannot be known now. The caller has
	// checked this process's view already.
	claimNick(nick string, u *user) error
	// releaseNick frees a nick once what came before is stored.
	releaseNick(nick string)
	// publish shares a state change made here.
	publish(e event)
	// sendTo carries a line to a user on another process's node.
	sendTo(u *user, m *irc.Message, x msgCtx)
	// changeChannel records a change made here to a channel.
	changeChannel(ch *channel, c chanChange)
	// account looks up a SASL account this process was not given.
	account(name string) (account, bool)
	// full reports that nothing more can be accepted for other nodes
	// (NATS is away and the buffer is at its bound).
	full() bool
}

// inProcess is the backbone of a network whose nodes all live in this
// process: its state is the Network's, delivery is a queue away.
type inProcess struct{}

func (inProcess) shares() bool                       { return false }
func (inProcess) claimNick(string, *user) error      { return nil }
func (inProcess) releaseNick(string)                 {}
func (inProcess) publish(event)                      {}
func (inProcess) sendTo(*user, *irc.Message, msgCtx) {}
func (inProcess) changeChannel(*channel, chanChange) {}
func (inProcess) account(string) (account, bool)     { return account{}, false }
func (inProcess) full() bool                         { return false }

// chanChange is one change to a channel: a member joined or left, a
// member's nick, the topic, or the modes (with the members' prefixes).
type chanChange struct {
	join, leave, rename *user
	topic, modes        bool
}
