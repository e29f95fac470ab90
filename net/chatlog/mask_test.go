package chatlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// TestSecretsNotLogged: our lines to services with passwords, in every form
// the session reports them (pending, echoed, a query buffer, a NOTICE), and
// migration events, leave no secret in any log file.
func TestSecretsNotLogged(t *testing.T) {
	w, dir := openTest(t, Options{})
	w.Write(event.Batch{Events: []event.Event{
		event.Registered{Meta: at(0), Nick: "me"},
		event.Message{Meta: at(1), Buffer: "NickServ", Target: "NickServ", Self: true, LocalID: 1, Pending: true, Text: "IDENTIFY me hunter2"},
		event.Message{Meta: at(2), Buffer: "NickServ", Target: "NickServ", Self: true, LocalID: 1, MsgID: "m1", Text: "IDENTIFY me hunter2", Echo: true},
		event.Delivered{Meta: at(2), LocalID: 1},
		event.Message{Meta: at(3), Buffer: "NickServ", Self: true, From: "me", Text: "REGISTER hunter3 me@example.net"},
		event.Message{Meta: at(4), Kind: event.Notice, Buffer: "NickServ", Target: "NickServ@services.", Self: true, Text: "identify hunter4"},
		event.Message{Meta: at(5), Buffer: "NickServ", From: "NickServ", Text: "You are now identified for me."},
		event.Migration{Meta: at(6), Step: event.MigrationFailed, Target: "s2", Reason: "confirm token mismatch", Recovery: "stayed on s1"},
		event.Failed{Meta: at(7), LocalID: 1, Reason: "quit"},
	}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			all.WriteString(read(t, path))
		}
		return nil
	})
	for _, secret := range []string{"hunter2", "hunter3", "hunter4"} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("secret %q in logs:\n%s", secret, all.String())
		}
	}
	got := read(t, filepath.Join(dir, "libera", "nickserv.log"))
	for _, want := range []string{
		"14:03:13 <me> IDENTIFY ***\n",
		"14:03:15 <me> REGISTER ***\n",
		"14:03:16 -me- identify ***\n",
		"14:03:17 <NickServ> You are now identified for me.\n",
		"14:03:19 -!- Not delivered (quit)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("nickserv.log lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "IDENTIFY ***") != 1 {
		t.Errorf("the echoed IDENTIFY was logged twice:\n%s", got)
	}
}
