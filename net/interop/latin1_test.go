//go:build interop

package interop

import (
	"testing"
)

// TestLatin1: a line that is not valid UTF-8 (an old Latin-1 client; here
// bob's session sends the bytes as given) is relayed by the server as is and
// shown by alice's session decoded as Latin-1, not dropped.
func TestLatin1(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		alice, bob := pair(t, srv)
		bob.say(channel, "caf\xe9 cr\xe8me \xfcber")
		alice.wait("bob's Latin-1 line, decoded", fromOther(channel, "bob", "café crème über"))
	})
}
