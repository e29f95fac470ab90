// Package ircx holds small, pure helpers over gopkg.in/irc.v4, and is the
// one home of every IRC rule that more than one layer needs. Each rule is
// implemented here once; the session, the connection owner, the logs and
// the UI call it, so they cannot come to disagree:
//
//   - parsing a line from the network without letting irc.v4 panic
//     (ParseMessage; the transport reads with it);
//   - case mapping, which names are one nick or channel (Casemap,
//     ParseCasemap; the session keys its state with it and the UI its
//     buffers, from the token in event.ISupport);
//   - CTCP framing (FormatCTCP, ParseCTCP, CTCPOverhead);
//   - the highlight word rule (Casemap.ContainsWord) and the mIRC
//     formatting strip it and echo matching compare with (StripFormatting);
//   - services bots and the secrets in lines (IsServiceTarget,
//     IsServiceAlias, MaskServiceText, MaskParams, MaskSecrets; MIGRATE
//     tokens are net/migrate's Redact);
//   - capability lists (CAP LS 302 values), RPL_ISUPPORT, server-time, and
//     splitting long text into lines that fit the server's line length.
//
// Decisions that need state stay with their owner: the session decides
// msgid duplicates and matches echoes to their LocalID. The reference
// server (net/testnet) keeps its own copies on purpose: it is the other
// side of the protocol, and a test against it must not share the client's
// mistakes.
//
// Nothing here keeps state between calls or does I/O; every function is safe
// for concurrent use.
package ircx
