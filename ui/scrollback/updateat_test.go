package scrollback

import "testing"

// A text split into two lines carries one LocalID on both; IndexOfLocalID
// finds the newest and UpdateAt reaches the older one.
func TestUpdateAtReachesEverySplitLine(t *testing.T) {
	b := newBuf(10)
	b.Append(Line{Time: t0, Kind: Message, Nick: "me", Self: true, Text: "part one", Pending: true, LocalID: 7})
	b.Append(msg(1, "bob", "interleaved"))
	b.Append(Line{Time: t0, Kind: Message, Nick: "me", Self: true, Text: "part two", Pending: true, LocalID: 7})
	i, ok := b.IndexOfLocalID(7)
	if !ok || i != 2 {
		t.Fatalf("IndexOfLocalID = %d, %v; want 2, true", i, ok)
	}
	for j := i; j >= 0; j-- {
		if b.Line(j).LocalID == 7 {
			b.UpdateAt(j, func(l *Line) { l.Pending = false; l.LocalID = 99; l.MsgID = "m" + l.Text })
		}
	}
	for _, j := range []int{0, 2} {
		l := b.Line(j)
		if l.Pending || l.LocalID != 7 {
			t.Errorf("line %d = %+v: want delivered, LocalID kept", j, l)
		}
	}
	if !b.HasMsgID("mpart one") || !b.HasMsgID("mpart two") {
		t.Error("msgid index does not follow UpdateAt")
	}
	if _, ok := b.IndexOfLocalID(8); ok {
		t.Error("IndexOfLocalID found an unknown id")
	}
}
