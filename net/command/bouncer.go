package command

// The soju.im/bouncer-networks requests (/bouncer). They go to the
// bouncer's own network, not to one of the networks bound through it.

// BouncerListNetworks asks the bouncer for its networks (BOUNCER
// LISTNETWORKS); the answer comes as event.BouncerNetwork events.
type BouncerListNetworks struct{}

// BouncerAddNetwork asks the bouncer to add a network (BOUNCER ADDNETWORK)
// with Attrs such as host, port, tls, name, nickname; host is required.
type BouncerAddNetwork struct{ Attrs map[string]string }

// BouncerDelNetwork asks the bouncer to remove a network (BOUNCER
// DELNETWORK), named by its id or by its name attribute.
type BouncerDelNetwork struct{ Network string }

func (BouncerListNetworks) isCommand() {}
func (BouncerAddNetwork) isCommand()   {}
func (BouncerDelNetwork) isCommand()   {}

func (BouncerListNetworks) toServer() {}
func (BouncerAddNetwork) toServer()   {}
func (BouncerDelNetwork) toServer()   {}
