// Package migrate is the client side of the `migrate` extension as
// net/migrate/SPEC.md specifies it (its sections 3 and 4; section 7 draws
// the states below), written as a pure state machine: no goroutines, no
// sockets, no clocks. Time arrives as the now argument of
// every input, timers are actions the driver runs, and each input returns
// the actions the driver must carry out, in order, before the next input.
// Keeping it pure is what lets the tests prove "every line exactly once".
//
// # States
//
//	Idle ──START ok──▶ Dialling ──DialDone ok / OK──▶ Window ──PROCEED / RESUME──▶ Resuming ──CONFIRM ok──▶ Idle (Promote, Flush)
//	                      │                              │                            │
//	                      └─ refused, dial failed,       └─ ABORTED, proceed timeout: └─ wrong CONFIRM, INVALID_TOKEN,
//	                         dial timeout: NAK ─▶ Idle      Flush to OLD ─▶ Idle         NEW lost, confirm timeout:
//	                                                                                     Reconnect ─▶ Reconnecting ──Reconnected──▶ Idle (Flush)
//
// OLD lost in the window counts as a PROCEED (OLD may have handed over);
// NEW lost in the window leaves the machine waiting: ABORTED or the proceed
// timeout keep the session on OLD, PROCEED then means a fallback Reconnect.
//
// # Driver's guide
//
// One goroutine (net/conn's network owner) holds the Machine, the current
// link ("OLD") and at most one target link ("NEW"), and calls:
//
//   - Start(now, msg, oldTLS) for every `MIGRATE START` read from the
//     current link, oldTLS being that link's TLS state, once the migrate
//     capability is negotiated (SPEC.md section 1: ignore MIGRATE lines
//     otherwise, without calling the machine).
//   - Line(now, from, msg) for every other `MIGRATE ...` or
//     `FAIL MIGRATE ...` line, from the current link (LinkOld) or the
//     target link (LinkNew). Before Promote, the target link carries only
//     these (and, after RESUME, maybe PING: answer PONG directly, the one
//     line SPEC.md lets go to NEW outside the queue); drop anything else
//     it sends.
//   - DialDone(now, id, err) with the outcome of each Dial action, after
//     keeping the opened connection under id.
//   - Timer(now, id) when a StartTimer's delay has passed.
//   - OldLost(now) when the current link drops by itself; if it returns
//     false, handle the loss as usual (reconnect with backoff). After a
//     Promote the promoted link is the current link: the previous OLD is
//     closed and its errors are not reported.
//   - NewLost(now) when the target link drops by itself (not after the
//     driver closed it on CloseNew or Promote).
//   - Submit(item) for every line for the current link (what the user
//     types, automatic replies such as CTCP answers), before sending it:
//     when it returns true the machine holds it (mark the user's line
//     pending) and will return it exactly once in a Flush; when false, send
//     it yourself. While Holding, the session's own PING/PONG for OLD may be
//     dropped instead (OLD no longer processes our lines after OK, NEW does
//     not need them); a PONG to a PING read from NEW goes to NEW directly.
//     A /migrate while Holding is answered locally (one migration at a time).
//   - Reconnected(now) once the fallback reconnect ordered by Reconnect is
//     registered and has rejoined (session.Ready).
//   - Abandon(now) when the user quits, disconnects or reconnects, or the
//     network is closed: it hands back the queued items (fail or requeue
//     them) and cleans up.
//
// The actions (see their docs): Dial (open NEW, sending nothing on it),
// Send (a MIGRATE line to OLD or NEW; OK never ahead of a line the user
// sent before it, see Send), CloseNew, Promote (NEW becomes current;
// session.Resumed), Reconnect (ordinary reconnect to the configured
// server, never the START host), Flush[T] (send the items to the current
// link, in order, once), StartTimer/StopTimer, Emit (an event.Migration for
// the UI), Warn (a protocol warning) and Info (a readable FAIL MIGRATE
// answer to /migrate) for the server buffer.
//
// Guarantees (tested, and checked by FuzzMachine over random input
// sequences): every submitted item comes back exactly once, in submission
// order, through Flush or Abandon; the machine is never Idle with items
// queued; nothing but `MIGRATE RESUME` is sent to NEW before Promote, and
// RESUME only after OK was sent for the same START; at most one target
// connection exists at a time; tokens appear only in Send actions, never in
// Emit, Warn, Info or errors. Redact masks them in lines for the debug log.
package migrate
