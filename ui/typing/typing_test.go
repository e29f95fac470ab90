package typing

import (
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

// TestSenderThrottle walks one target through a typing session: each step
// is an input change (line) or a tick (tick), and what goes out then.
func TestSenderThrottle(t *testing.T) {
	type step struct {
		sec  float64
		tick bool
		line string
		sent string // "" nothing, else the one state sent
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"typing renews active once per throttle, never sooner", []step{
			{0, false, "h", Active},
			{1, false, "he", ""},
			{2, false, "hel", ""},
			{2.9, true, "", ""},
			{3, true, "", Active}, // the changes since 0 are said when the throttle ends
			{3.5, false, "hell", ""},
			{5.9, true, "", ""},
			{6, true, "", Active},
			{8, true, "", ""},
		}},
		{"idle with text says paused once", []step{
			{0, false, "hi", Active},
			{4.9, true, "", ""},
			{5, true, "", Paused},
			{20, true, "", ""},
			{21, false, "hi!", Active},
		}},
		{"clearing says done, held by the throttle", []step{
			{0, false, "hi", Active},
			{1, false, "", ""},
			{2.9, true, "", ""},
			{3, true, "", Done},
			{4, false, "", ""},
			{10, true, "", ""},
		}},
		{"clearing long after says done at once", []step{
			{0, false, "hi", Active},
			{5, true, "", Paused},
			{9, false, "", Done},
		}},
		{"typing again before a held done replaces it", []step{
			{0, false, "hi", Active},
			{1, false, "", ""},
			{2, false, "x", ""},
			{3, true, "", Active},
		}},
		{"slash commands are not typing", []step{
			{0, false, "/join #x", ""},
			{1, false, "", ""},
			{5, true, "", ""},
			{6, false, "//not a command", Active},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s Sender
			for _, st := range tc.steps {
				var got []Note
				if st.tick {
					got = s.Tick(at(st.sec))
				} else {
					got = s.Changed("#c", st.line, at(st.sec))
				}
				var want []Note
				if st.sent != "" {
					want = []Note{{Target: "#c", State: st.sent}}
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("at %.1fs (tick %v, line %q): sent %+v, want %+v", st.sec, st.tick, st.line, got, want)
				}
			}
		})
	}
}

// TestSenderNoTwoWithinThrottle types and clears at random-ish moments and
// checks the spec's rule on everything sent: no two notifications to one
// target within 3 seconds.
func TestSenderNoTwoWithinThrottle(t *testing.T) {
	var s Sender
	last := map[string]time.Time{}
	check := func(now time.Time, notes []Note) {
		for _, n := range notes {
			if l, ok := last[n.Target]; ok && now.Sub(l) < Throttle {
				t.Fatalf("%s to %s %v after the previous one", n.State, n.Target, now.Sub(l))
			}
			last[n.Target] = now
		}
	}
	lines := []string{"a", "ab", "", "x", "xy", "xyz", "", "", "q"}
	for i := 0; i < 400; i++ {
		now := at(float64(i) * 0.35)
		target := []string{"#a", "#b"}[i%7/5]
		check(now, s.Changed(target, lines[i%len(lines)], now))
		if i%3 == 0 {
			check(now, s.Tick(now))
		}
	}
}

// TestSenderAfterMessage: a sent message ends the typing; the next
// change waits for the throttle like any other.
func TestSenderAfterMessage(t *testing.T) {
	var s Sender
	s.Changed("bob", "hi", at(0))
	s.Sent("bob")
	if got := s.Changed("bob", "", at(0.5)); got != nil {
		t.Fatalf("the cleared line after sending said %+v", got)
	}
	if got := s.Changed("bob", "n", at(1)); got != nil {
		t.Fatalf("typing 1 s after the last notification sent %+v", got)
	}
	if got := s.Tick(at(3)); !reflect.DeepEqual(got, []Note{{"bob", Active}}) {
		t.Fatalf("tick at 3 s sent %+v", got)
	}
	if next := s.Next(); !next.Equal(at(6)) {
		t.Fatalf("next = %v, want paused due 5 s after the last change", next.Sub(t0))
	}
}

func TestShownExpiry(t *testing.T) {
	var sh Shown
	sh.Set("#c", "bob", "Bob", Active, at(0))
	sh.Set("#c", "carol", "carol", Paused, at(1))
	sh.Set("#d", "dave", "dave", Active, at(0))
	if got := sh.Who("#c", at(5.9)); !reflect.DeepEqual(got, []string{"Bob", "carol"}) {
		t.Fatalf("at 5.9 s: %v", got)
	}
	if next := sh.Next(); !next.Equal(at(6)) {
		t.Fatalf("next = %v", next.Sub(t0))
	}
	if got := sh.Who("#c", at(6)); !reflect.DeepEqual(got, []string{"carol"}) {
		t.Fatalf("active holds 6 s: %v", got)
	}
	sh.Set("#c", "bob", "Bob", Active, at(5)) // renewed in time
	if got := sh.Who("#c", at(10)); !reflect.DeepEqual(got, []string{"Bob", "carol"}) {
		t.Fatalf("renewed: %v", got)
	}
	if got := sh.Who("#c", at(31)); len(got) != 0 {
		t.Fatalf("paused holds 30 s: %v", got)
	}
	sh.Set("#d", "dave", "dave", Done, at(1))
	if got := sh.Who("#d", at(1)); len(got) != 0 {
		t.Fatalf("done clears at once: %v", got)
	}
	sh.Prune(at(40))
	if !sh.Next().IsZero() {
		t.Fatal("pruned state still has an expiry")
	}
	for _, tc := range []struct {
		nicks []string
		want  string
	}{
		{nil, ""},
		{[]string{"bob"}, "bob is typing…"},
		{[]string{"bob", "carol"}, "bob and carol are typing…"},
		{[]string{"a", "b", "c"}, "a, b and c are typing…"},
		{[]string{"a", "b", "c", "d"}, "several people are typing…"},
	} {
		if got := Line(tc.nicks); got != tc.want {
			t.Errorf("Line(%v) = %q, want %q", tc.nicks, got, tc.want)
		}
	}
}
