package ircx

import "testing"

func TestISupportMaxModes(t *testing.T) {
	tests := []struct {
		tokens []string
		want   int
	}{
		{nil, DefaultModes},
		{[]string{"MODES=4"}, 4},
		{[]string{"MODES"}, 0}, // no value: no limit
		{[]string{"MODES=4", "-MODES"}, DefaultModes},
		{[]string{"MODES=4", "MODES=x"}, 4},
		{[]string{"MODES=4", "MODES=0"}, 4},
		{[]string{"MODES=-2"}, DefaultModes},
		{[]string{"MODES=99999"}, maxModes},
	}
	for _, tt := range tests {
		is := DefaultISupport()
		is.Apply(tt.tokens)
		if got := is.MaxModes(); got != tt.want {
			t.Errorf("%q: MaxModes %d, want %d", tt.tokens, got, tt.want)
		}
	}
}
