// Package interop holds end-to-end tests of ferry's connection owner
// (net/conn's Pool, with net/session and net/transport underneath, exactly as
// cmd/ferry wires them) against real IRC servers: ngircd 26 and InspIRCd 3,
// from Debian's packages. The tests carry the build tag "interop"; each
// starts and stops its own server process on a free 127.0.0.1 port with a
// configuration it writes, so they need the server binaries (on PATH or in
// /usr/sbin) and nothing else. A missing binary fails the test rather than
// skipping it: .ci/run installs both.
//
//	go test -race -count=1 -tags interop ./net/interop/
//
// Every test runs once per server (the two in parallel): registration, a
// shared channel and messages both ways (TestChat); a server restart survived
// with reconnect and rejoin (TestRestart) and lines typed while offline
// delivered once (TestOfflineQueue); nick collisions falling back to the
// alternative nicks and then to "_" (TestNickCollision); the capabilities the
// server enabled (TestCapabilities), echo-message with msgid and server-time
// (TestEchoMessage), long text split to fit 512 bytes and received intact
// (TestLongMessage), CTCP VERSION and ACTION (TestCTCP), lag and a hung
// server detected as a dead link (TestLagAndDeadLink), topic, modes, nick
// change, part and kick (TestChannelOps), TLS with a throwaway CA, verified
// and refused (TestTLS), Latin-1 text decoded (TestLatin1), keyed channels
// rejoined with their keys after /reconnect (TestKeyedRejoin) and server
// PINGs answered by idle sessions (TestServerPings), and member state from
// multi-prefix, userhost-in-names, extended-join and away-notify where the
// server offers them (TestMemberState), and a paste of long lines through
// the default flood control (TestFloodDefaults). On InspIRCd only: CAP DEL and CAP
// NEW, sent when an operator unloads and reloads its echo-message module
// (TestCapNotify), and an STS upgrade from the plaintext port to TLS with
// the persistence policy stored for the next run (TestSTSUpgrade).
//
// Two tests pin bugs these tests found in the client stack (since fixed in
// net/conn): TestEchoOfQueuedLine and TestWaitingStateSaysTLS; their
// comments say what the server sent and what ferry did.
//
// Server quirks the tests allow for: ngircd delays each 433 reply by two
// seconds (its penalty for a refused nick) and throttles a client's commands;
// InspIRCd applies fake lag; both take about a second to complete a
// registration.
package interop
