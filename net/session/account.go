package session

// Our own account on this connection. RPL_LOGGEDIN (900) names it, after
// SASL or a later login through services; RPL_LOGGEDOUT (901) and
// account-notify's ACCOUNT for our own nick change it. What the server
// keeps per account (read markers, readmarker.go) depends on it, so a
// change after registration is told to the owner at once.

// setAccount records our account ("" when logged out).
func (s *Session) setAccount(h *handling, acct string) {
	acct = clip(acct, maxNameLen)
	if acct == "*" {
		acct = ""
	}
	was := s.syncMarkers()
	s.account = acct
	if acct != "" {
		s.markersRefused = false // the refusal was for want of an account
	}
	if !s.registered {
		return // 001 tells the state as it is then
	}
	s.tellCaps(h, false)
	if !was && s.syncMarkers() {
		s.askChannelMarkers()
	}
}
