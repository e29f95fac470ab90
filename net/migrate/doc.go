// Package migrate is the client side of the IRCv3 `migrate` profile
// (/work/shared/MIGRATE.md sections 3 and 4) as a pure state machine.
package migrate
