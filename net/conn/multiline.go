package conn

import "github.com/ferry-irc/ferry/net/sendq"

// A multiline batch (the session's Outgoing.Batch) is one message to the
// server: BATCH +ref, its lines, BATCH -ref. Its lines must reach one
// server in order, so wherever lines are taken back from a writer (a
// migration's MIGRATE OK, a lost link) a batch whose opening line was
// already written is never split: before OK its rest still goes to OLD,
// and after a lost link its rest fails with it rather than reach the next
// server without its opening line.

// begunElsewhere reports whether q is a line of a multiline batch whose
// opening line is not among lines (it was written already, or is being
// written).
func begunElsewhere(q *sendq.Line, opened map[string]bool) bool {
	return q != nil && q.Out.Batch != "" && !opened[q.Out.Batch]
}

// batchesOpened is the set of batch references whose opening line is
// among lines.
func batchesOpened(lines []*sendq.Line) map[string]bool {
	var out map[string]bool
	for _, q := range lines {
		if q != nil && q.Out.OpensBatch() {
			if out == nil {
				out = map[string]bool{}
			}
			out[q.Out.Batch] = true
		}
	}
	return out
}
