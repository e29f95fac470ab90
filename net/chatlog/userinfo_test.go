package chatlog

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

func TestHostAndRealnameChangesLogged(t *testing.T) {
	w, dir := openTest(t, Options{})
	w.Write(event.Batch{Events: []event.Event{
		event.ISupport{Meta: at(0), ChanTypes: "#"},
		event.HostChange{Meta: at(1), Nick: "bob", User: "b", Host: "cloak.example", Channels: []string{"#ferry"}},
		event.RealnameChange{Meta: at(2), Nick: "bob", Realname: "Bob \x02B\x02", Channels: []string{"#ferry"}},
	}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := read(t, filepath.Join(dir, "libera", "#ferry.log"))
	for _, want := range []string{
		"2026-11-26 14:03:13 -!- bob changed host to b@cloak.example\n",
		"2026-11-26 14:03:14 -!- bob changed realname to Bob B\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("#ferry.log lacks %q:\n%s", want, got)
		}
	}
}
