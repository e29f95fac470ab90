package command

// MonitorOp is what a Monitor command does with the monitor list.
type MonitorOp int

const (
	MonitorAdd    MonitorOp = iota // MONITOR + nicks
	MonitorRemove                  // MONITOR - nicks
	MonitorClear                   // MONITOR C
	MonitorList                    // MONITOR L
	MonitorStatus                  // MONITOR S
)

// Monitor changes or shows the network's monitor list (IRCv3 monitor):
// the session keeps the list across reconnects and sends it again after
// each registration, within the server's MONITOR limit. Nicks are used
// with Add and Remove only.
type Monitor struct {
	Op    MonitorOp
	Nicks []string
}

// Typing tells Target that we are typing to it: State is "active",
// "paused" or "done" (the +typing client tag). The caller throttles (the
// spec's 3 seconds per target); the session sends a TAGMSG only when
// message-tags is enabled, the server does not deny the tag, and the
// connection is ready, and drops it otherwise: a typing notice is never
// worth queueing.
type Typing struct {
	Target string
	State  string
}

func (Monitor) isCommand() {}
func (Typing) isCommand()  {}
func (Monitor) toServer()  {}
func (Typing) toServer()   {}
