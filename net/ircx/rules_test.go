package ircx

import "testing"

func TestStripFormatting(t *testing.T) {
	tests := map[string]string{
		"plain":                    "plain",
		"\x02b\x02\x1di\x1d\x1fu":  "biu",
		"\x0312blue\x03 \x034,5x":  "blue x",
		"\x03,5comma":              "comma",
		"\x04FF00AAhex\x04123":     "hex123",
		"\x04ff00aa,000000both":    "both",
		"  \x0f spaced \x16 ":      "spaced",
		"\x01ACTION \x02w\x02\x01": "\x01ACTION w\x01",
	}
	for in, want := range tests {
		if got := StripFormatting(in); got != want {
			t.Errorf("StripFormatting(%q) = %q, want %q", in, got, want)
		}
	}
}

// Moved from net/chatlog with the rule, plus the CS alias the debug log
// knew and the chat log did not.
func TestMaskServiceText(t *testing.T) {
	tests := []struct{ target, text, want string }{
		{"NickServ", "IDENTIFY hunter2", "IDENTIFY ***"},
		{"nickserv", "identify alice hunter2", "identify ***"},
		{"NickServ@services.libera.chat", "IDENTIFY hunter2", "IDENTIFY ***"},
		{"NickServ", "REGISTER hunter2 a@example.net", "REGISTER ***"},
		{"NickServ", "GHOST alice hunter2", "GHOST ***"},
		{"NickServ", "SET PASSWORD hunter2", "SET PASSWORD ***"},
		{"NickServ", "SET EMAIL a@example.net", "SET EMAIL a@example.net"},
		{"NickServ", "INFO alice", "INFO alice"},
		{"NickServ", "IDENTIFY", "IDENTIFY"},
		{"Q@CServe.quakenet.org", "AUTH alice hunter2", "AUTH ***"},
		{"X", "login alice hunter2", "login ***"},
		{"AuthServ", "auth alice hunter2", "auth ***"},
		{"ChanServ", "REGISTER #chan", "REGISTER ***"},
		{"#ferry", "IDENTIFY hunter2", "IDENTIFY hunter2"},
		{"alice", "IDENTIFY hunter2", "IDENTIFY hunter2"},
		{"serv", "IDENTIFY hunter2", "IDENTIFY hunter2"},
		{"CS", "REGISTER #chan hunter2", "REGISTER ***"},
		{"ns", "ID hunter2", "ID ***"},
	}
	for _, tt := range tests {
		if got := MaskServiceText(tt.target, tt.text); got != tt.want {
			t.Errorf("MaskServiceText(%q, %q) = %q, want %q", tt.target, tt.text, got, tt.want)
		}
	}
}
