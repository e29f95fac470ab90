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
		{"PRIVMSG NickServ :IDENTIFY secretpw", "PRIVMSG NickServ :IDENTIFY ***", []string{"secretpw"}},
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

// The lines the review found unmasked: services aliases and other *Serv
// targets, NOTICE to services, lower-case commands typed with /raw, and a
// FAIL MIGRATE INVALID_TOKEN without a description.
func TestMaskLineServicesAndRaw(t *testing.T) {
	for _, line := range []string{
		"NS IDENTIFY hunter2",
		"NICKSERV IDENTIFY hunter2",
		"nickserv identify hunter2",
		"cs IDENTIFY #chan hunter2",
		"PRIVMSG ChanServ :IDENTIFY #c hunter2",
		"PRIVMSG NS :IDENTIFY hunter2",
		"NOTICE NickServ :IDENTIFY hunter2",
		"privmsg nickserv :identify hunter2",
		"pass hunter2",
		"authenticate aHVudGVyMg==",
		"FAIL MIGRATE INVALID_TOKEN hunter2",
		"FAIL MIGRATE ABORTED hunter2 :could not hand over",
		"MIGRATE START s2.example.net +6697 hunter2 hunter3 s2",
	} {
		m, err := irc.ParseMessage(line)
		if err != nil {
			t.Fatal(err)
		}
		got := maskLine(m)
		if strings.Contains(got, "hunter") || strings.Contains(got, "aHVudGVyMg") {
			t.Errorf("maskLine(%q) = %q: the secret shows", line, got)
		}
	}
	m, _ := irc.ParseMessage("PRIVMSG #ferry :hello NickServ")
	if got := maskLine(m); got != "PRIVMSG #ferry :hello NickServ" {
		t.Errorf("an ordinary line was changed: %q", got)
	}
}
