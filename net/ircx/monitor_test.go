package ircx

import "testing"

func TestISupportMonitorAndClientTagDeny(t *testing.T) {
	tests := []struct {
		tokens  []string
		monitor int
		typing  bool
	}{
		{nil, 0, true},
		{[]string{"MONITOR=100"}, 100, true},
		{[]string{"MONITOR"}, -1, true},
		{[]string{"MONITOR=100", "-MONITOR"}, 0, true},
		{[]string{"MONITOR=x"}, 0, true},
		{[]string{"CLIENTTAGDENY=*"}, 0, false},
		{[]string{"CLIENTTAGDENY=*,-typing"}, 0, true},
		{[]string{"CLIENTTAGDENY=*,-react"}, 0, false},
		{[]string{"CLIENTTAGDENY=typing"}, 0, false},
		{[]string{"CLIENTTAGDENY=react,typing2"}, 0, true},
		{[]string{"CLIENTTAGDENY=*", "-CLIENTTAGDENY"}, 0, true},
	}
	for _, tc := range tests {
		is := DefaultISupport()
		is.Apply(tc.tokens)
		if is.Monitor != tc.monitor || is.ClientTagAllowed("typing") != tc.typing || is.ClientTagAllowed("+typing") != tc.typing {
			t.Errorf("%q: Monitor %d typing %v, want %d %v", tc.tokens, is.Monitor, is.ClientTagAllowed("typing"), tc.monitor, tc.typing)
		}
	}
}
