package config

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeConfig writes body to a config.toml in a fresh directory.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaults(t *testing.T) {
	path := writeConfig(t, `
[[network]]
host = "irc.example.net"
nick = "alice"

[[network]]
name = "plain"
host = "Plain.Example.NET"
tls = false
nick = "bob"
sasl = { password = "pw" }
`)
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	wantUI := UI{Theme: "dark", Timestamp: "15:04", ShowJoins: "folded", Scrollback: 10000, Logs: true,
		Mouse: true, Notify: "auto", Typing: true}
	if !reflect.DeepEqual(cfg.UI, wantUI) {
		t.Errorf("UI = %+v, want %+v", cfg.UI, wantUI)
	}
	if cfg.Path != path {
		t.Errorf("Path = %q", cfg.Path)
	}
	if len(cfg.Networks) != 2 {
		t.Fatalf("got %d networks", len(cfg.Networks))
	}
	a := cfg.Networks[0]
	wantA := Network{
		Name: "irc.example.net", Host: "irc.example.net", Port: 6697, TLS: true, TLSVerify: true,
		Nick: "alice", User: "alice", Realname: "alice", Migrate: "any",
		Flood:       Flood{Burst: 8, Interval: 500 * time.Millisecond},
		ReadMarkers: true, Multiline: true,
	}
	if !reflect.DeepEqual(a, wantA) {
		t.Errorf("network 1 = %+v\nwant %+v", a, wantA)
	}
	b := cfg.Networks[1]
	if b.Port != 6667 || b.TLS || b.Host != "plain.example.net" || b.Name != "plain" {
		t.Errorf("network 2: port %d tls %v host %q name %q", b.Port, b.TLS, b.Host, b.Name)
	}
	wantSASL := &SASL{Mechanism: "PLAIN", Username: "bob", Password: "pw", Required: true, network: "plain"}
	if !reflect.DeepEqual(b.SASL, wantSASL) {
		t.Errorf("sasl = %+v, want %+v", b.SASL, wantSASL)
	}
	if len(cfg.STS.Pins) != 0 || cfg.STS.Pins == nil {
		t.Errorf("pins = %v, want empty non-nil map", cfg.STS.Pins)
	}
	if cfg.Network("PLAIN") != &cfg.Networks[1] || cfg.Network("nope") != nil {
		t.Error("Network lookup by name failed")
	}
}

func TestAllKeys(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"ca.pem", "me.pem", "me.key"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "notify.sh"), []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.toml")
	body := `
[ui]
theme = "light"
timestamp = "15:04:05"
show_joins = "none"
scrollback = 500
highlights = ["ferry", "release"]
bell = true
logs = false
mouse = false
notify = "osc9"
notify_cmd = ["./notify.sh", "--urgent"]
typing = false

[[network]]
name = "Example"
host = "irc.example.net"
port = 7000
tls = true
tls_verify = false
tls_verify_ack = "I understand"
ca_file = "ca.pem"
client_cert = "me.pem"
client_key = "me.key"
nick = "alice"
alt_nicks = ["alice_", "alice2"]
user = "al"
realname = "Alice Liddell"
password_cmd = "echo hunter2"
sasl = { mechanism = "external", required = false }
autojoin = ["#ferry", "#secret key123"]
migrate = "same-domain"
flood = { burst = 10, interval = "500ms" }
ignore = ["spammer", "*!*@spam.example"]
read_markers = false
multiline = false
monitor = ["bob", "Carol"]

[sts]
pins = { "IRC.Example.NET" = 6697, "other.example" = 7001 }
`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	wantUI := UI{Theme: "light", Timestamp: "15:04:05", ShowJoins: "none", Scrollback: 500,
		Highlights: []string{"ferry", "release"}, Bell: true, Logs: false,
		Mouse: false, Notify: "osc9", NotifyCmd: []string{filepath.Join(dir, "notify.sh"), "--urgent"}}
	if !reflect.DeepEqual(cfg.UI, wantUI) {
		t.Errorf("UI = %+v", cfg.UI)
	}
	want := Network{
		Name: "Example", Host: "irc.example.net", Port: 7000, TLS: true, TLSVerify: false,
		CAFile: filepath.Join(dir, "ca.pem"), ClientCert: filepath.Join(dir, "me.pem"), ClientKey: filepath.Join(dir, "me.key"),
		Nick: "alice", AltNicks: []string{"alice_", "alice2"}, User: "al", Realname: "Alice Liddell",
		PasswordCmd: "echo hunter2",
		SASL:        &SASL{Mechanism: "EXTERNAL", Username: "alice", Required: false, network: "Example"},
		Autojoin:    []Channel{{Name: "#ferry"}, {Name: "#secret", Key: "key123"}},
		Migrate:     "same-domain",
		Flood:       Flood{Burst: 10, Interval: 500 * time.Millisecond},
		Ignore:      []string{"spammer", "*!*@spam.example"},
		Monitor:     []string{"bob", "Carol"},
	}
	if !reflect.DeepEqual(cfg.Networks[0], want) {
		t.Errorf("network = %+v\nwant %+v", cfg.Networks[0], want)
	}
	wantPins := map[string]int{"irc.example.net": 6697, "other.example": 7001}
	if !reflect.DeepEqual(cfg.STS.Pins, wantPins) {
		t.Errorf("pins = %v", cfg.STS.Pins)
	}
}

// TestValidation has one case per validation rule: the error must name the
// file, the line and the key.
func TestValidation(t *testing.T) {
	const net = "[[network]]\nhost = \"irc.example.net\"\nnick = \"alice\"\n" // lines 1-3
	tests := []struct {
		name string
		body string
		line int
		key  string
		msg  string // substring of Msg
	}{
		{"unknown top-level key", "colour = 1\n", 1, "colour", "unknown key"},
		{"ignore entry with a space", net + "ignore = [\"a b\"]\n", 4, "network[1].ignore", "not a nick"},
		{"ignore not a list", net + "ignore = \"troll\"\n", 4, "network[1].ignore", ""},
		{"monitor entry with a mask", net + "monitor = [\"bob!*@*\"]\n", 4, "network[1].monitor", "not a nick"},
		{"typing not a bool", "[ui]\ntyping = \"no\"\n", 2, "ui.typing", "must be true or false"},
		{"unknown ui key with suggestion", "[ui]\n\ntheem = \"dark\"\n", 3, "ui.theem", `did you mean "theme"`},
		{"unknown network key", net + "prot = 7000\n", 4, "network[1].prot", `did you mean "port"`},
		{"unknown sasl key", net + "sasl = { mechanism = \"PLAIN\", pasword = \"x\", password = \"y\" }\n", 4, "network[1].sasl.pasword", "unknown key"},
		{"unknown flood key", net + "[network.flood]\nburst = 2\nrate = 3\n", 6, "network[1].flood.rate", "unknown key"},
		{"unknown sts key", "[sts]\npin = {}\n", 2, "sts.pin", `did you mean "pins"`},
		{"ui not a table", "ui = \"dark\"\n", 1, "ui", "must be a table"},
		{"network as single table", "[network]\nhost = \"a\"\n", 1, "network", "write [[network]]"},
		{"wrong type string for int", net + "port = \"6697\"\n", 4, "network[1].port", "must be an integer, not a string (write the number without quotes)"},
		{"wrong type string for bool", net + "tls = \"false\"\n", 4, "network[1].tls", "must be true or false"},
		{"wrong type bool", "[ui]\nbell = 1\n", 2, "ui.bell", "must be true or false, not an integer"},
		{"wrong type array", net + "alt_nicks = \"alice_\"\n", 4, "network[1].alt_nicks", "array of strings"},
		{"wrong type array element", "[ui]\nhighlights = [\"a\", 2]\n", 2, "ui.highlights", "element 2 must be a string"},
		{"wrong type sasl", net + "sasl = \"PLAIN\"\n", 4, "network[1].sasl", "must be a table"},
		{"missing host", "[[network]]\nnick = \"alice\"\n", 1, "network[1]", "missing host"},
		{"missing nick", "[[network]]\nhost = \"irc.example.net\"\n", 1, "network[1]", "missing nick"},
		{"missing host in second network", net + "\n[[network]]\nname = \"two\"\nnick = \"bob\"\n", 5, "network[2]", "missing host"},
		{"host is url", "[[network]]\nhost = \"ircs://irc.example.net\"\nnick = \"a\"\n", 2, "network[1].host", "is a URL"},
		{"host with port", "[[network]]\nhost = \"irc.example.net:6697\"\nnick = \"a\"\n", 2, "network[1].host", "port = N"},
		{"port zero", net + "port = 0\n", 4, "network[1].port", "out of range 1-65535"},
		{"port too big", net + "port = 70000\n", 4, "network[1].port", "70000 is out of range 1-65535"},
		{"password and password_cmd", net + "password = \"x\"\npassword_cmd = \"pass irc\"\n", 5, "network[1].password_cmd", "both password and password_cmd"},
		{"sasl password and password_cmd", net + "sasl = { password = \"x\", password_cmd = \"y\" }\n", 4, "network[1].sasl.password_cmd", "both sasl password and password_cmd"},
		{"sasl plain without password", net + "sasl = { username = \"acct\" }\n", 4, "network[1].sasl", "needs password"},
		{"tls_verify false without ack", net + "tls_verify = false\n", 4, "network[1].tls_verify", `tls_verify_ack = "I understand"`},
		{"tls_verify false with wrong ack", net + "tls_verify = false\ntls_verify_ack = \"yes\"\n", 4, "network[1].tls_verify", `must be exactly "I understand"`},
		{"bad show_joins", "[ui]\nshow_joins = \"some\"\n", 2, "ui.show_joins", `"some" is not one of`},
		{"bad migrate", net + "migrate = \"always\"\n", 4, "network[1].migrate", `"always" is not one of`},
		{"bad mechanism", net + "sasl = { mechanism = \"SCRAM-SHA-1\", password = \"x\" }\n", 4, "network[1].sasl.mechanism", "not supported"},
		{"scram without password", net + "sasl = { mechanism = \"scram-sha-256\" }\n", 4, "network[1].sasl", "SASL SCRAM-SHA-256 needs password"},
		{"external without client_cert", net + "sasl = { mechanism = \"EXTERNAL\" }\n", 4, "network[1].sasl.mechanism", "add client_cert"},
		{"external with password", net + "client_cert = \"/dev/null\"\nsasl = { mechanism = \"EXTERNAL\", password = \"x\" }\n", 5, "network[1].sasl", "remove the sasl password"},
		{"timestamp strftime", "[ui]\ntimestamp = \"%H:%M\"\n", 2, "ui.timestamp", "strftime"},
		{"timestamp without fields", "[ui]\ntimestamp = \"HH:MM\"\n", 2, "ui.timestamp", "no Go time layout fields"},
		{"timestamp empty", "[ui]\ntimestamp = \"\"\n", 2, "ui.timestamp", "is empty"},
		{"duplicate network names", net + "name = \"x\"\n[[network]]\nname = \"X\"\nhost = \"b\"\nnick = \"b\"\n", 6, "network[2].name", `"X" is already used by the network at line 4`},
		{"duplicate default names", net + "[[network]]\nhost = \"irc.example.net\"\nnick = \"b\"\n", 4, "network[2]", "defaults to the host"},
		{"scrollback zero", "[ui]\nscrollback = 0\n", 2, "ui.scrollback", "out of range"},
		{"empty highlight", "[ui]\nhighlights = [\"\"]\n", 2, "ui.highlights", "empty word"},
		{"empty theme", "[ui]\ntheme = \"\"\n", 2, "ui.theme", "is empty"},
		{"bad nick", "[[network]]\nhost = \"h\"\nnick = \"al ice\"\n", 3, "network[1].nick", "cannot have"},
		{"nick starting with digit", "[[network]]\nhost = \"h\"\nnick = \"1alice\"\n", 3, "network[1].nick", "cannot start with"},
		{"bad alt nick", net + "alt_nicks = [\"ok\", \"no!\"]\n", 4, "network[1].alt_nicks", `"no!"`},
		{"bad autojoin", net + "autojoin = [\"ferry\"]\n", 4, "network[1].autojoin", `did you mean "#ferry"`},
		{"autojoin comma list", net + "autojoin = [\"#a,#b\"]\n", 4, "network[1].autojoin", "commas"},
		{"autojoin too many fields", net + "autojoin = [\"#a key extra\"]\n", 4, "network[1].autojoin", "more than a channel and a key"},
		{"missing ca_file", net + "ca_file = \"/nonexistent/ca.pem\"\n", 4, "network[1].ca_file", "/nonexistent/ca.pem"},
		{"client_key without cert", net + "client_key = \"/dev/null\"\n", 4, "network[1].client_key", "without client_cert"},
		{"flood interval not duration", net + "flood = { interval = \"fast\" }\n", 4, "network[1].flood.interval", "not a duration"},
		{"flood interval integer", net + "flood = { interval = 500 }\n", 4, "network[1].flood.interval", `like "500ms"`},
		{"flood burst zero", net + "[network.flood]\nburst = 0\n", 5, "network[1].flood.burst", "out of range"},
		{"empty name", net + "name = \"\"\n", 4, "network[1].name", "is empty"},
		{"name with slash", net + "name = \"a/b\"\n", 4, "network[1].name", "slash"},
		{"pin port out of range", "[sts]\npins = { \"irc.example.net\" = 0 }\n", 2, `sts.pins."irc.example.net"`, "out of range"},
		{"pin port wrong type", "[sts.pins]\n\"irc.example.net\" = \"6697\"\n", 2, `sts.pins."irc.example.net"`, "must be an integer"},
		{"pin bad host", "[sts.pins]\n\"irc.example.net:6697\" = 6697\n", 2, `sts.pins."irc.example.net:6697"`, "not a host name"},
		{"bad notify", "[ui]\nnotify = \"dbus\"\n", 2, "ui.notify", `"dbus" is not one of`},
		{"mouse not a bool", "[ui]\nmouse = \"on\"\n", 2, "ui.mouse", "must be true or false"},
		{"notify_cmd a string", "[ui]\nnotify_cmd = \"notify-send hi\"\n", 2, "ui.notify_cmd", `write ["..."]`},
		{"notify_cmd empty", "[ui]\nnotify_cmd = []\n", 2, "ui.notify_cmd", "names no program"},
		{"notify_cmd missing file", "[ui]\nnotify_cmd = [\"/nonexistent/notify\"]\n", 2, "ui.notify_cmd", "/nonexistent/notify"},
		{"notify_cmd not on PATH", "[ui]\nnotify_cmd = [\"ferry-no-such-notifier\"]\n", 2, "ui.notify_cmd", "not a program on $PATH"},
		{"notify_cmd a directory", "[ui]\nnotify_cmd = [\"/tmp\"]\n", 2, "ui.notify_cmd", "is a directory"},
		{"toml syntax error", "[ui]\ntheme = dark\n", 2, "", "not valid TOML"},
		{"toml duplicate key", "[ui]\ntheme = \"a\"\ntheme = \"b\"\n", 3, "", "not valid TOML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.body)
			cfg, err := Load(path)
			if err == nil {
				t.Fatalf("Load succeeded: %+v", cfg)
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is %T, not Errors: %v", err, err)
			}
			if len(errs) != 1 {
				t.Fatalf("got %d errors, want 1:\n%v", len(errs), err)
			}
			e := errs[0]
			if e.File != path || e.Line != tt.line || (tt.key != "" && e.Key != tt.key) || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("got  %s\nwant %s:%d: %s: ...%s...", e, path, tt.line, tt.key, tt.msg)
			}
			prefix := path + ":" + strconv.Itoa(tt.line) + ": "
			if !strings.HasPrefix(e.Error(), prefix) {
				t.Errorf("Error() = %q, want prefix %q", e.Error(), prefix)
			}
		})
	}
}

// TestAllErrorsAtOnce: several problems in one file are all reported, in
// file order, and nothing is returned alongside them.
func TestAllErrorsAtOnce(t *testing.T) {
	path := writeConfig(t, `[ui]
show_joins = "some"

[[network]]
host = "a.example"
nick = "alice"
port = 0

[[network]]
name = "b"
port = "x"

[sts]
pins = { "h.example" = 99999 }
`)
	cfg, err := Load(path)
	if cfg != nil {
		t.Errorf("Load returned a config with errors")
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, e := range errs {
		got = append(got, strconv.Itoa(e.Line)+" "+e.Key)
	}
	want := []string{"2 ui.show_joins", "7 network[1].port", "9 network[2]", "9 network[2]", "11 network[2].port", `14 sts.pins."h.example"`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors at %q\nwant %q\nfull:\n%v", got, want, err)
	}
	if n := strings.Count(err.Error(), "\n"); n != len(want)-1 {
		t.Errorf("Errors.Error() has %d lines, want one per error", n+1)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestExampleRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "ferry", "config.toml")
	created, err := WriteExample(path)
	if err != nil || !created {
		t.Fatalf("WriteExample = %v, %v", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(filepath.Dir(path)); di.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", di.Mode().Perm())
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("the example config does not load:\n%v", err)
	}
	if len(cfg.Networks) != 1 || cfg.Networks[0].Host != "irc.libera.chat" || cfg.STS.Pins["irc.libera.chat"] != 6697 {
		t.Errorf("example loaded as %+v", cfg)
	}
	// The example mentions every key it documents, so users can find them.
	for _, key := range []string{"theme", "timestamp", "show_joins", "scrollback", "highlights", "bell", "logs",
		"mouse", "notify", "notify_cmd",
		"name", "host", "port", "tls", "tls_verify", "tls_verify_ack", "ca_file", "client_cert", "client_key",
		"nick", "alt_nicks", "user", "realname", "password", "password_cmd", "sasl", "mechanism", "username",
		"required", "autojoin", "migrate", "flood", "burst", "interval", "pins", "bouncer_networks"} {
		if !strings.Contains(Example(), key) {
			t.Errorf("example does not mention %s", key)
		}
	}

	// Never over an existing file.
	if err := os.WriteFile(path, []byte("# mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	created, err = WriteExample(path)
	if err != nil || created {
		t.Errorf("second WriteExample = %v, %v; want false, nil", created, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "# mine\n" {
		t.Errorf("existing file was overwritten: %q", b)
	}
}

// TestExampleCommentedNetworkLoads uncomments the example's optional lines
// that need no files, to check the documented forms are valid too.
func TestExampleCommentedForms(t *testing.T) {
	body := Example()
	for _, l := range []string{
		`# sasl = { mechanism = "PLAIN", username = "youraccount", password_cmd = "pass show irc/libera", required = true }`,
		`# password_cmd = "pass show irc/libera-server"`,
		`# port = 6697          # default 6697 with TLS, 6667 without`,
	} {
		if !strings.Contains(body, l) {
			t.Fatalf("example lacks %q", l)
		}
		body = strings.Replace(body, l, strings.TrimPrefix(l, "# "), 1)
	}
	cfg, err := Load(writeConfig(t, body))
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Networks[0]
	if n.SASL == nil || n.SASL.Username != "youraccount" || n.PasswordCmd == "" || n.Port != 6697 {
		t.Errorf("network = %+v", n)
	}
}

func TestPaths(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/x/config")
	t.Setenv("XDG_STATE_HOME", "/x/state")
	t.Setenv("XDG_DATA_HOME", "/x/data")
	for got, want := range map[string]string{
		ConfigDir():    "/x/config/ferry",
		DefaultPath():  "/x/config/ferry/config.toml",
		ThemeDir():     "/x/config/ferry/themes",
		StateDir():     "/x/state/ferry",
		STSPath():      "/x/state/ferry/sts.toml",
		DebugLogPath(): "/x/state/ferry/debug.log",
		DataDir():      "/x/data/ferry",
		LogDir():       "/x/data/ferry/logs",
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	// A relative XDG value is ignored, per the spec.
	t.Setenv("XDG_CONFIG_HOME", "relative")
	if ConfigDir() == filepath.Join("relative", "ferry") {
		t.Error("relative XDG_CONFIG_HOME was used")
	}
}

func TestPasswordCmd(t *testing.T) {
	ctx := context.Background()
	n := &Network{Name: "ex", PasswordCmd: "printf 'hunter2\\nsecond line\\n'"}
	pw, err := n.ResolvePassword(ctx)
	if err != nil || pw != "hunter2" {
		t.Errorf("ResolvePassword = %q, %v", pw, err)
	}
	n = &Network{Name: "ex", Password: "inline"}
	if pw, err := n.ResolvePassword(ctx); err != nil || pw != "inline" {
		t.Errorf("inline password = %q, %v", pw, err)
	}
	s := &SASL{PasswordCmd: "echo sasl-secret", network: "ex"}
	if pw, err := s.ResolvePassword(ctx); err != nil || pw != "sasl-secret" {
		t.Errorf("SASL ResolvePassword = %q, %v", pw, err)
	}

	failures := []struct {
		name, cmd, want string
	}{
		{"exit status", "echo hunter2; echo 'vault locked' >&2; exit 3", "exit status 3: vault locked"},
		{"empty output", "true", "printed nothing"},
		{"blank first line", "printf '\\nhunter2\\n'", "printed nothing"},
		{"stderr echoing the secret", "echo hunter2; echo 'bad hunter2' >&2; exit 1", "exit status 1"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			n := &Network{Name: "ex", PasswordCmd: tt.cmd}
			_, err := n.ResolvePassword(ctx)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "network ex: password_cmd") {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks the secret: %q", err)
			}
		})
	}
}

// TestPasswordCmdTimeout: a command that never finishes (and leaves a child
// holding stdout) is killed; the timeout is the bound, not the command.
func TestPasswordCmdTimeout(t *testing.T) {
	start := time.Now()
	_, err := RunPasswordCmd(context.Background(), "echo hunter2; sleep 30 & sleep 30", 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not finish within 200ms") {
		t.Errorf("err = %v", err)
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error leaks the secret: %q", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v: the process group was not killed", d)
	}
}

func TestWarnings(t *testing.T) {
	body := "[[network]]\nhost = \"h.example\"\nnick = \"n\"\ntls = false\npassword = \"pw\"\ntls_verify_ack = \"I understand\"\n"
	path := writeConfig(t, body)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range cfg.Warnings {
		got = append(got, w.Error())
	}
	want := []string{
		path + ":4: network[1].tls: tls = false sends the password in clear text; use TLS if the server offers it",
		path + ":6: network[1].tls_verify_ack: has no effect: tls_verify is on",
		path + ": contains a password but other users can read it (mode 0644): run chmod 600 " + path + ", or use password_cmd",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := Load(path); len(cfg.Warnings) != 2 {
		t.Errorf("with mode 0600: %v", cfg.Warnings)
	}
}

func TestHomeExpansion(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.WriteFile(filepath.Join(home, "ca.pem"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(writeConfig(t, "[[network]]\nhost = \"h\"\nnick = \"n\"\nca_file = \"~/ca.pem\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Networks[0].CAFile; got != filepath.Join(home, "ca.pem") {
		t.Errorf("CAFile = %q", got)
	}
}

// TestChecks: a check injected by the caller sees the theme (the default
// one too, when [ui] does not name it), and its error is reported like the
// package's own, with file, line and key.
func TestChecks(t *testing.T) {
	const net = "[[network]]\nhost = \"irc.example.net\"\nnick = \"alice\"\n"
	var seen []string
	c := Checks{Theme: func(name string) error {
		seen = append(seen, name)
		if name != "nosuch" {
			return nil
		}
		return errors.New("unknown theme")
	}}
	path := writeConfig(t, "[ui]\nscrollback = 10\ntheme = \"nosuch\"\n"+net)
	_, err := LoadWith(path, c)
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 {
		t.Fatalf("err = %v, want one Error", err)
	}
	if e := es[0]; e.File != path || e.Line != 3 || e.Key != "ui.theme" || !strings.Contains(e.Msg, "unknown theme") {
		t.Errorf("error = %+v", e)
	}
	if _, err := LoadWith(writeConfig(t, net), c); err != nil {
		t.Errorf("without [ui]: %v", err)
	}
	if want := []string{"nosuch", DefaultTheme}; !reflect.DeepEqual(seen, want) {
		t.Errorf("checked themes %q, want %q", seen, want)
	}
	if _, err := Load(path); err != nil {
		t.Errorf("Load without checks: %v", err)
	}
}

// A notify_cmd that is a file but not executable is reported, and one
// named without a slash is looked up on $PATH and kept as its full path.
func TestNotifyCmdProgram(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(writeConfig(t, "[ui]\nnotify_cmd = [\""+plain+"\"]\n"))
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 || es[0].Key != "ui.notify_cmd" || !strings.Contains(es[0].Msg, "not executable") {
		t.Errorf("non-executable notify_cmd: %v", err)
	}
	prog := filepath.Join(dir, "ferry-notifier")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	cfg, err := Load(writeConfig(t, "[ui]\nnotify_cmd = [\"ferry-notifier\", \"a b\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{prog, "a b"}; !reflect.DeepEqual(cfg.UI.NotifyCmd, want) {
		t.Errorf("NotifyCmd = %q, want %q", cfg.UI.NotifyCmd, want)
	}
}

func TestSASLSCRAM(t *testing.T) {
	path := writeConfig(t, "[[network]]\nhost = \"irc.example.net\"\nnick = \"alice\"\nsasl = { mechanism = \"scram-sha-256\", password = \"pw\" }\n")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.Networks[0].SASL; s == nil || s.Mechanism != MechanismSCRAM || s.Username != "alice" || s.Password != "pw" || !s.Required {
		t.Errorf("sasl = %+v", s)
	}
}

func TestBouncerNetworksKey(t *testing.T) {
	for _, tc := range []struct {
		line string
		off  bool
	}{{"", false}, {"bouncer_networks = true\n", false}, {"bouncer_networks = false\n", true}} {
		cfg, err := Load(writeConfig(t, "[[network]]\nhost = \"irc.example.net\"\nnick = \"alice\"\n"+tc.line))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Networks[0].NoBouncerNetworks != tc.off {
			t.Errorf("%q: NoBouncerNetworks %v", tc.line, cfg.Networks[0].NoBouncerNetworks)
		}
	}
}
