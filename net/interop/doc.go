// Package interop holds end-to-end tests of ferry's connection owner against
// real IRC servers (ngircd and InspIRCd, from Debian's packages). The tests
// carry the build tag "interop"; each starts and stops its own server on a
// free loopback port with a configuration it writes, so they need the server
// binaries on PATH (or in /usr/sbin) but nothing else.
//
//	go test -tags interop ./net/interop/
package interop
