package command

// Asked is a request typed in a buffer whose answer the user waits for
// there (/whois, /names, /list, a /mode or /topic query, /raw). Buffer is
// the buffer's name, "" for the server buffer. Where the server offers
// labeled-response the session labels the request's line and routes every
// reply carrying the label to Buffer; elsewhere Cmd goes out as it is and
// the replies are placed as before.
type Asked struct {
	Buffer string
	Cmd    ToServer
}

// SetName changes our realname (SETNAME :Realname), where the server
// offers the setname capability.
type SetName struct{ Realname string }

func (Asked) isCommand()   {}
func (Asked) toServer()    {}
func (SetName) isCommand() {}
func (SetName) toServer()  {}
