package conn

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"
)

func TestMaskLineHidesSecrets(t *testing.T) {
	tests := []struct {
		line, want string
		secrets    []string
	}{
		{"PASS hunter2", "PASS ***", []string{"hunter2"}},
		{"AUTHENTICATE Zm9vAGZvbwBiYXI=", "AUTHENTICATE ***", []string{"Zm9v"}},
		{"MIGRATE OK resumetok", "MIGRATE OK ***", []string{"resumetok"}},
		{"MIGRATE RESUME resumetok", "MIGRATE RESUME ***", []string{"resumetok"}},
		{"MIGRATE NAK resumetok :insecure target", "", []string{"resumetok"}},
		{":s1 MIGRATE START s2.example.net +6697 resumetok confirmtok s2", "", []string{"resumetok", "confirmtok"}},
		{":s2 MIGRATE CONFIRM confirmtok", "", []string{"confirmtok"}},
		{":s1 MIGRATE PROCEED resumetok", "", []string{"resumetok"}},
		{":s2 FAIL MIGRATE INVALID_TOKEN resumetok :unknown token", "", []string{"resumetok"}},
		{"PRIVMSG NickServ :IDENTIFY secretpw", "PRIVMSG NickServ ***", []string{"secretpw"}},
		{"MIGRATE REQUEST s2", "MIGRATE REQUEST s2", nil},
		{"PRIVMSG #c :hello there", "PRIVMSG #c :hello there", nil},
	}
	for _, tt := range tests {
		got := maskLine(irc.MustParseMessage(tt.line))
		if tt.want != "" && got != tt.want {
			t.Errorf("maskLine(%q) = %q, want %q", tt.line, got, tt.want)
		}
		for _, s := range tt.secrets {
			if strings.Contains(got, s) {
				t.Errorf("maskLine(%q) = %q still shows %q", tt.line, got, s)
			}
		}
	}
	// START keeps what the debug log needs: host, port, server name.
	got := maskLine(irc.MustParseMessage(":s1 MIGRATE START s2.example.net +6697 resumetok confirmtok s2"))
	for _, keep := range []string{"s2.example.net", "+6697", " s2"} {
		if !strings.Contains(got, keep) {
			t.Errorf("masked START %q lost %q", got, keep)
		}
	}
}
