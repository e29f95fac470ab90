package ui

import (
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// TestMigrationRecord: every migration leaves one line in the network's
// server buffer saying how it ended.
func TestMigrationRecord(t *testing.T) {
	tests := []struct {
		name string
		evs  []event.Event
		want string
	}{
		{"moved", []event.Event{
			event.Migration{Meta: meta(60), Step: event.MigrationAccepted, Target: "s2", Host: "127.0.0.1:6698"},
			event.Migration{Meta: meta(60), Step: event.MigrationProceeding, Target: "s2", Host: "127.0.0.1:6698"},
			event.Migration{Meta: meta(61), Step: event.MigrationResumed, Target: "s2", Host: "127.0.0.1:6698", Window: 4 * time.Millisecond},
		}, "moved to s2 (window 4 ms)"},
		{"declined", []event.Event{
			event.Migration{Meta: meta(60), Step: event.MigrationDeclined, Target: "s2", Reason: "the target is not reachable"},
		}, "move to s2 declined: the target is not reachable"},
		{"failed", []event.Event{
			event.Migration{Meta: meta(60), Step: event.MigrationAccepted, Target: "s2"},
			event.Migration{Meta: meta(61), Step: event.MigrationFailed, Target: "s2", Reason: "the target dropped the connection", Recovery: "reconnected to the configured server"},
		}, "move to s2 failed: the target dropped the connection — reconnected to the configured server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, 100, 12, Options{})
			demoChannel(hs)
			server := hs.m.m.netBy["ferrynet"].server0
			before := server.sb.Len()
			hs.feed(tt.evs...)
			if got := server.sb.Len() - before; got != 1 {
				t.Fatalf("%d lines in the server buffer, want 1", got)
			}
			if l := server.sb.Line(server.sb.Len() - 1); l.Text != tt.want {
				t.Errorf("server buffer line %q, want %q", l.Text, tt.want)
			}
		})
	}
}
