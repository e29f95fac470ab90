package ui

import (
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// demoChannel is the first screen of ferry --demo: ferrynet, #ferry, the
// chatter talking.
func demoChannel(hs *harness) {
	hs.connected()
	hs.feed(
		event.Join{Meta: meta(1), Channel: "#ferry", Nick: "newcomer", UserHost: "newcomer@127.0.0.1", Self: true},
		event.Topic{Meta: meta(1), Channel: "#ferry", Topic: "Welcome to ferry's demo: you will be moved between s1 and s2 every 20 s", SetBy: "chatter", SetAt: t0},
		event.Names{Meta: meta(1), Channel: "#ferry", Members: []event.Member{{Nick: "newcomer"}, {Nick: "chatter", Prefixes: "@"}, {Nick: "alice", Prefixes: "+"}, {Nick: "Bob"}}},
		event.Message{Meta: meta(5), Buffer: "#ferry", From: "chatter", Target: "#ferry", Text: "hello newcomer, welcome to #ferry!", MsgID: "m1"},
		event.Message{Meta: meta(20), Buffer: "#ferry", From: "chatter", Target: "#ferry", Text: "every 20 seconds the network moves you to another server; watch the status bar", MsgID: "m2"},
		event.Message{Meta: meta(40), Buffer: "#ferry", From: "alice", Target: "#ferry", Text: "it never says reconnecting", MsgID: "m3"},
	)
}

func TestScreenDemoChannel(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{})
	demoChannel(hs)
	hs.golden("demo_channel")
}
