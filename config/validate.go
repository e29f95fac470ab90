package config

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func (d *decoder) config(raw map[string]any) *Config {
	cfg := &Config{
		UI: UI{
			Theme:      DefaultTheme,
			Timestamp:  DefaultTimestamp,
			ShowJoins:  DefaultShowJoins,
			Scrollback: DefaultScrollback,
			Logs:       true,
			Mouse:      true,
			Notify:     DefaultNotify,
			Typing:     true,
		},
		STS: STS{Pins: map[string]int{}},
	}
	d.knownKeys(nil, raw, "ui", "network", "sts")
	if v, ok := raw["ui"]; ok {
		if m, ok := d.table([]string{"ui"}, v); ok {
			d.ui(&cfg.UI, m)
		}
	}
	if d.checks.Theme != nil {
		// Also without [ui]: a user file may override the default theme.
		if err := d.checks.Theme(cfg.UI.Theme); err != nil {
			d.errorf([]string{"ui", "theme"}, "%v", err)
		}
	}
	if v, ok := raw["network"]; ok {
		cfg.Networks = d.networks(v)
	}
	if v, ok := raw["sts"]; ok {
		if m, ok := d.table([]string{"sts"}, v); ok {
			d.sts(&cfg.STS, m)
		}
	}
	return cfg
}

func (d *decoder) ui(ui *UI, m map[string]any) {
	p := []string{"ui"}
	d.knownKeys(p, m, "theme", "timestamp", "show_joins", "scrollback", "highlights", "bell", "logs",
		"mouse", "notify", "notify_cmd", "typing")
	if v, ok := m["theme"]; ok {
		if s, ok := d.str(child(p, "theme"), v); ok {
			if strings.TrimSpace(s) == "" {
				d.errorf(child(p, "theme"), "is empty (remove the key for the default %q)", DefaultTheme)
			} else {
				ui.Theme = s
			}
		}
	}
	if v, ok := m["timestamp"]; ok {
		if s, ok := d.str(child(p, "timestamp"), v); ok {
			if msg := checkLayout(s); msg != "" {
				d.errorf(child(p, "timestamp"), "%s", msg)
			} else {
				ui.Timestamp = s
			}
		}
	}
	if v, ok := m["show_joins"]; ok {
		if s, ok := d.str(child(p, "show_joins"), v); ok {
			switch s {
			case ShowJoinsAll, ShowJoinsFolded, ShowJoinsNone:
				ui.ShowJoins = s
			default:
				d.errorf(child(p, "show_joins"), "%q is not one of \"all\", \"folded\", \"none\"", s)
			}
		}
	}
	if v, ok := m["scrollback"]; ok {
		if n, ok := d.integer(child(p, "scrollback"), v); ok {
			if n < 1 || n > 1_000_000 {
				d.errorf(child(p, "scrollback"), "%d is out of range: lines per buffer must be 1-1000000", n)
			} else {
				ui.Scrollback = int(n)
			}
		}
	}
	if v, ok := m["highlights"]; ok {
		if words, ok := d.strings(child(p, "highlights"), v); ok {
			for _, w := range words {
				if strings.TrimSpace(w) == "" {
					d.errorf(child(p, "highlights"), "contains an empty word, which would highlight every line")
					ok = false
				}
			}
			if ok {
				ui.Highlights = words
			}
		}
	}
	if v, ok := m["bell"]; ok {
		ui.Bell, _ = d.boolean(child(p, "bell"), v)
	}
	if v, ok := m["logs"]; ok {
		if b, ok := d.boolean(child(p, "logs"), v); ok {
			ui.Logs = b
		}
	}
	if v, ok := m["mouse"]; ok {
		if b, ok := d.boolean(child(p, "mouse"), v); ok {
			ui.Mouse = b
		}
	}
	if v, ok := m["notify"]; ok {
		if s, ok := d.str(child(p, "notify"), v); ok {
			switch s {
			case NotifyAuto, NotifyOSC777, NotifyOSC9, NotifyOff:
				ui.Notify = s
			default:
				d.errorf(child(p, "notify"), "%q is not one of \"auto\", \"osc777\", \"osc9\", \"off\"", s)
			}
		}
	}
	if v, ok := m["notify_cmd"]; ok {
		if argv, ok := d.strings(child(p, "notify_cmd"), v); ok {
			if cmd, msg := d.checkCommand(argv); msg != "" {
				d.errorf(child(p, "notify_cmd"), "%s", msg)
			} else {
				ui.NotifyCmd = cmd
			}
		}
	}
	if v, ok := m["typing"]; ok {
		if b, ok := d.boolean(child(p, "typing"), v); ok {
			ui.Typing = b
		}
	}
}

// checkCommand checks a program run without a shell, ["prog", "arg"...]:
// prog is a path ("~/" expanded, relative to the config file's directory)
// to an executable file, or a name found on $PATH. It returns argv with
// prog resolved, or why it cannot run.
func (d *decoder) checkCommand(argv []string) ([]string, string) {
	if len(argv) == 0 || strings.TrimSpace(argv[0]) == "" {
		return nil, `names no program: write ["/path/to/program", "first argument", ...] (remove the key for none)`
	}
	for _, a := range argv {
		if strings.ContainsRune(a, 0) {
			return nil, "contains a NUL character"
		}
	}
	out := append([]string(nil), argv...)
	prog := argv[0]
	if !strings.ContainsRune(prog, '/') && prog != "~" {
		path, err := exec.LookPath(prog)
		if err != nil {
			return nil, fmt.Sprintf("%q is not a program on $PATH; write its full path", prog)
		}
		out[0] = path
		return out, ""
	}
	path, msg := d.checkFile(prog)
	if msg != "" {
		return nil, msg
	}
	if fi, err := os.Stat(path); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0 {
		return nil, fmt.Sprintf("%s is not executable (chmod +x it)", path)
	}
	out[0] = path
	return out, ""
}

// checkLayout returns why s is not a usable Go time layout, or "".
func checkLayout(s string) string {
	if s == "" {
		return fmt.Sprintf("is empty (remove the key for the default %q)", DefaultTimestamp)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "contains a control character"
		}
	}
	if strings.Contains(s, "%") {
		return fmt.Sprintf("%q looks like a strftime format; ferry uses Go time layouts: write \"15:04\" for %%H:%%M, \"15:04:05\" for %%H:%%M:%%S", s)
	}
	// A layout with no reference-time field formats to itself.
	probe := time.Date(2031, 11, 27, 9, 8, 7, 0, time.UTC)
	if probe.Format(s) == s {
		return fmt.Sprintf("%q contains no Go time layout fields: write \"15:04\" for hours and minutes, \"15:04:05\" with seconds (the reference time is Mon Jan 2 15:04:05 2006)", s)
	}
	return ""
}

func (d *decoder) networks(v any) []Network {
	p := []string{"network"}
	var tables []map[string]any
	switch t := v.(type) {
	case []map[string]any:
		tables = t
	case []any:
		for i, e := range t {
			m, ok := e.(map[string]any)
			if !ok {
				d.errorf(child(p, indexSeg(i)), "must be a table, not %s", typeName(e))
				continue
			}
			tables = append(tables, m)
		}
	case map[string]any:
		d.errorf(p, "must be an array of tables: write [[network]] (two brackets), once per network")
		return nil
	default:
		d.errorf(p, "must be an array of tables ([[network]]), not %s", typeName(v))
		return nil
	}
	nets := make([]Network, 0, len(tables))
	seen := map[string]int{} // folded name -> line of the first
	for i, m := range tables {
		np := child(p, indexSeg(i))
		n, ok := d.network(np, m)
		if !ok {
			continue
		}
		namePath := child(np, "name")
		if _, given := m["name"]; !given {
			namePath = np
		}
		if first, dup := seen[foldName(n.Name)]; dup {
			hint := ""
			if _, given := m["name"]; !given {
				hint = " (the name defaults to the host; set name = \"...\" to tell them apart)"
			}
			d.errorf(namePath, "network name %q is already used by the network at line %d%s", n.Name, first, hint)
			continue
		}
		seen[foldName(n.Name)] = d.pos.line(namePath)
		nets = append(nets, n)
	}
	return nets
}

// network converts one [[network]] table; ok is false when it had errors.
func (d *decoder) network(p []string, m map[string]any) (Network, bool) {
	before := len(d.errs)
	d.knownKeys(p, m, "name", "host", "port", "tls", "tls_verify", "tls_verify_ack",
		"ca_file", "client_cert", "client_key", "nick", "alt_nicks", "user", "realname",
		"password", "password_cmd", "sasl", "autojoin", "migrate", "flood", "ignore",
		"read_markers", "multiline", "bouncer_networks", "monitor")
	n := Network{
		TLS:         true,
		TLSVerify:   true,
		ReadMarkers: true,
		Multiline:   true,
		Migrate:     DefaultMigrate,
		Flood:       Flood{Burst: DefaultFloodBurst, Interval: DefaultFloodInterval},
	}
	str := func(key string) (string, bool) {
		v, ok := m[key]
		if !ok {
			return "", false
		}
		s, ok := d.str(child(p, key), v)
		return s, ok
	}

	if s, ok := str("host"); ok {
		if msg := checkHost(s); msg != "" {
			d.errorf(child(p, "host"), "%s", msg)
		}
		n.Host = strings.ToLower(s)
	} else if _, present := m["host"]; !present {
		d.errorf(p, "missing host: add host = \"irc.example.net\" to this [[network]]")
	}
	n.Name = n.Host
	if s, ok := str("name"); ok {
		if strings.TrimSpace(s) == "" {
			d.errorf(child(p, "name"), "is empty (remove the key to use the host as the name)")
		} else if strings.ContainsAny(s, "/\\\x00") || strings.ContainsFunc(s, isControl) {
			d.errorf(child(p, "name"), "%q contains a slash or control character; network names become directory names for chat logs", s)
		} else {
			n.Name = s
		}
	}
	if v, ok := m["tls"]; ok {
		n.TLS, _ = d.boolean(child(p, "tls"), v)
	}
	if v, ok := m["bouncer_networks"]; ok {
		on, _ := d.boolean(child(p, "bouncer_networks"), v)
		n.NoBouncerNetworks = !on
	}
	n.Port = DefaultPortPlain
	if n.TLS {
		n.Port = DefaultPortTLS
	}
	if v, ok := m["port"]; ok {
		if port, ok := d.integer(child(p, "port"), v); ok {
			if port < 1 || port > 65535 {
				d.errorf(child(p, "port"), "%d is out of range 1-65535", port)
			} else {
				n.Port = int(port)
			}
		}
	}
	if v, ok := m["tls_verify"]; ok {
		n.TLSVerify, _ = d.boolean(child(p, "tls_verify"), v)
	}
	if v, ok := m["read_markers"]; ok {
		n.ReadMarkers, _ = d.boolean(child(p, "read_markers"), v)
	}
	if v, ok := m["multiline"]; ok {
		n.Multiline, _ = d.boolean(child(p, "multiline"), v)
	}
	ack, ackGiven := str("tls_verify_ack")
	if !n.TLSVerify && ack != TLSVerifyAck {
		msg := "tls_verify = false turns off certificate checks: anyone on the path can read and change this connection, passwords included"
		if ackGiven {
			msg += fmt.Sprintf("; tls_verify_ack must be exactly %q to accept that", TLSVerifyAck)
		} else {
			msg += fmt.Sprintf("; to accept that, add tls_verify_ack = %q to this network (or use ca_file = \"...\" to trust a private CA instead)", TLSVerifyAck)
		}
		d.errorf(child(p, "tls_verify"), "%s", msg)
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"ca_file", &n.CAFile}, {"client_cert", &n.ClientCert}, {"client_key", &n.ClientKey}} {
		if s, ok := str(f.key); ok {
			path, msg := d.checkFile(s)
			if msg != "" {
				d.errorf(child(p, f.key), "%s", msg)
			}
			*f.dst = path
		}
	}
	if n.ClientKey != "" && n.ClientCert == "" {
		d.errorf(child(p, "client_key"), "client_key without client_cert: add client_cert = \"...\" (the certificate that goes with this key)")
	}

	if ackGiven && n.TLSVerify {
		d.warnf(child(p, "tls_verify_ack"), "has no effect: tls_verify is on")
	}
	if !n.TLS && (m["password"] != nil || m["password_cmd"] != nil || m["sasl"] != nil) {
		d.warnf(child(p, "tls"), "tls = false sends the password in clear text; use TLS if the server offers it")
	}

	if s, ok := str("nick"); ok {
		if msg := checkNick(s); msg != "" {
			d.errorf(child(p, "nick"), "%s", msg)
		}
		n.Nick = s
	} else if _, present := m["nick"]; !present {
		d.errorf(p, "missing nick: add nick = \"yournick\" to this [[network]]")
	}
	if v, ok := m["alt_nicks"]; ok {
		if nicks, ok := d.strings(child(p, "alt_nicks"), v); ok {
			for _, a := range nicks {
				if msg := checkNick(a); msg != "" {
					d.errorf(child(p, "alt_nicks"), "%q: %s", a, msg)
				}
			}
			n.AltNicks = nicks
		}
	}
	n.User, n.Realname = n.Nick, n.Nick
	if s, ok := str("user"); ok {
		if s == "" || strings.ContainsAny(s, " @\r\n\x00") {
			d.errorf(child(p, "user"), "%q is not a valid user name (no spaces or @; remove the key to use the nick)", s)
		}
		n.User = s
	}
	if s, ok := str("realname"); ok {
		if strings.ContainsAny(s, "\r\n\x00") {
			d.errorf(child(p, "realname"), "contains a line break")
		}
		n.Realname = s
	}
	n.Password, _ = str("password")
	n.PasswordCmd, _ = str("password_cmd")
	_, hasPass := m["password"]
	_, hasCmd := m["password_cmd"]
	if hasPass && hasCmd {
		d.errorf(child(p, "password_cmd"), "both password and password_cmd are set; keep one")
	}
	if hasCmd && strings.TrimSpace(n.PasswordCmd) == "" {
		d.errorf(child(p, "password_cmd"), "is empty")
	}
	if hasPass && n.Password == "" {
		d.errorf(child(p, "password"), "is empty (remove the key if the server has no password)")
	}

	if v, ok := m["sasl"]; ok {
		if t, ok := d.table(child(p, "sasl"), v); ok {
			n.SASL = d.sasl(child(p, "sasl"), t, &n)
		}
	}
	if v, ok := m["autojoin"]; ok {
		if entries, ok := d.strings(child(p, "autojoin"), v); ok {
			for _, e := range entries {
				ch, msg := parseChannel(e)
				if msg != "" {
					d.errorf(child(p, "autojoin"), "%q: %s", e, msg)
					continue
				}
				n.Autojoin = append(n.Autojoin, ch)
			}
		}
	}
	if v, ok := m["ignore"]; ok {
		if entries, ok := d.strings(child(p, "ignore"), v); ok {
			for _, e := range entries {
				if e == "" || strings.ContainsAny(e, " ,") {
					d.errorf(child(p, "ignore"), "%q is not a nick or a nick!user@host mask", e)
					continue
				}
				n.Ignore = append(n.Ignore, e)
			}
		}
	}
	if v, ok := m["monitor"]; ok {
		if entries, ok := d.strings(child(p, "monitor"), v); ok {
			for _, e := range entries {
				if e == "" || strings.ContainsAny(e, " ,!@*?") {
					d.errorf(child(p, "monitor"), "%q is not a nick", e)
					continue
				}
				n.Monitor = append(n.Monitor, e)
			}
		}
	}
	if s, ok := str("migrate"); ok {
		switch s {
		case MigrateAny, MigrateSameDomain, MigrateNever:
			n.Migrate = s
		default:
			d.errorf(child(p, "migrate"), "%q is not one of \"any\", \"same-domain\", \"never\"", s)
		}
	}
	if v, ok := m["flood"]; ok {
		if t, ok := d.table(child(p, "flood"), v); ok {
			d.flood(child(p, "flood"), t, &n.Flood)
		}
	}
	return n, len(d.errs) == before
}

func (d *decoder) sasl(p []string, m map[string]any, n *Network) *SASL {
	d.knownKeys(p, m, "mechanism", "username", "password", "password_cmd", "required")
	s := &SASL{Mechanism: MechanismPlain, Username: n.Nick, Required: true, network: n.Name}
	if v, ok := m["mechanism"]; ok {
		if mech, ok := d.str(child(p, "mechanism"), v); ok {
			switch strings.ToUpper(mech) {
			case MechanismPlain, MechanismExternal, MechanismSCRAM:
				s.Mechanism = strings.ToUpper(mech)
			default:
				d.errorf(child(p, "mechanism"), "%q is not supported: use \"PLAIN\" or \"SCRAM-SHA-256\" (account and password) or \"EXTERNAL\" (client certificate)", mech)
			}
		}
	}
	if v, ok := m["username"]; ok {
		if u, ok := d.str(child(p, "username"), v); ok {
			s.Username = u
		}
	}
	if v, ok := m["password"]; ok {
		if pw, ok := d.str(child(p, "password"), v); ok {
			if pw == "" {
				d.errorf(child(p, "password"), "is empty")
			}
			s.Password = pw
		}
	}
	if v, ok := m["password_cmd"]; ok {
		s.PasswordCmd, _ = d.str(child(p, "password_cmd"), v)
		if strings.TrimSpace(s.PasswordCmd) == "" {
			d.errorf(child(p, "password_cmd"), "is empty")
		}
	}
	if v, ok := m["required"]; ok {
		if b, ok := d.boolean(child(p, "required"), v); ok {
			s.Required = b
		}
	}
	_, hasPass := m["password"]
	_, hasCmd := m["password_cmd"]
	switch s.Mechanism {
	case MechanismPlain, MechanismSCRAM:
		if hasPass && hasCmd {
			d.errorf(child(p, "password_cmd"), "both sasl password and password_cmd are set; keep one")
		} else if !hasPass && !hasCmd {
			d.errorf(p, "SASL %s needs password = \"...\" or password_cmd = \"...\" in the sasl table", s.Mechanism)
		}
		if s.Username == "" {
			d.errorf(child(p, "username"), "is empty")
		}
	case MechanismExternal:
		if n.ClientCert == "" {
			d.errorf(child(p, "mechanism"), "SASL EXTERNAL logs in with a client certificate: add client_cert = \"...\" (and client_key) to this network")
		}
		if hasPass || hasCmd {
			d.errorf(p, "SASL EXTERNAL uses the client certificate, not a password: remove the sasl password/password_cmd")
		}
	}
	return s
}

func (d *decoder) flood(p []string, m map[string]any, f *Flood) {
	d.knownKeys(p, m, "burst", "interval")
	if v, ok := m["burst"]; ok {
		if b, ok := d.integer(child(p, "burst"), v); ok {
			if b < 1 || b > 1000 {
				d.errorf(child(p, "burst"), "%d is out of range 1-1000", b)
			} else {
				f.Burst = int(b)
			}
		}
	}
	if v, ok := m["interval"]; ok {
		s, isStr := v.(string)
		if !isStr {
			d.errorf(child(p, "interval"), "must be a duration string like \"500ms\" or \"2s\", not %s", typeName(v))
			return
		}
		dur, err := time.ParseDuration(s)
		switch {
		case err != nil:
			d.errorf(child(p, "interval"), "%q is not a duration: write it like \"500ms\" or \"2s\"", s)
		case dur <= 0 || dur > time.Minute:
			d.errorf(child(p, "interval"), "%s is out of range: more than 0 and at most 1m", s)
		default:
			f.Interval = dur
		}
	}
}

func (d *decoder) sts(sts *STS, m map[string]any) {
	p := []string{"sts"}
	d.knownKeys(p, m, "pins")
	v, ok := m["pins"]
	if !ok {
		return
	}
	pins, ok := d.table(child(p, "pins"), v)
	if !ok {
		return
	}
	pp := child(p, "pins")
	for host, pv := range pins {
		hp := child(pp, host)
		if msg := checkHost(host); msg != "" {
			d.errorf(hp, "%s", msg)
			continue
		}
		port, ok := d.integer(hp, pv)
		if !ok {
			continue
		}
		if port < 1 || port > 65535 {
			d.errorf(hp, "port %d is out of range 1-65535", port)
			continue
		}
		h := strings.ToLower(host)
		if _, dup := sts.Pins[h]; dup {
			d.errorf(hp, "host %q is pinned twice (host names are case-insensitive)", h)
			continue
		}
		sts.Pins[h] = int(port)
	}
}

// checkFile expands "~/" and makes s absolute relative to the config file's
// directory, and reports a file that cannot be read.
func (d *decoder) checkFile(s string) (string, string) {
	if s == "" {
		return "", "is empty (remove the key if there is no file)"
	}
	path := s
	if path == "~" || strings.HasPrefix(path, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return s, "starts with ~ but the home directory is unknown: write the full path"
		}
		path = filepath.Join(home, path[1:])
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(d.file), path)
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return path, fmt.Sprintf("cannot use %s: %v", path, unwrapPathError(err))
	case fi.IsDir():
		return path, fmt.Sprintf("%s is a directory, not a file", path)
	}
	return path, ""
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// checkHost returns why s is not a host name or IP address, or "".
func checkHost(s string) string {
	switch {
	case s == "":
		return "is empty"
	case strings.Contains(s, "://"):
		return fmt.Sprintf("%q is a URL; write only the host name (e.g. \"irc.libera.chat\") and set port/tls separately", s)
	case strings.ContainsAny(s, " \t/@,") || strings.ContainsFunc(s, isControl):
		return fmt.Sprintf("%q is not a host name", s)
	case strings.Contains(s, ":") && net.ParseIP(s) == nil:
		return fmt.Sprintf("%q is not a host name; write the port as port = N", s)
	}
	return ""
}

// checkNick returns why s cannot be an IRC nick, or "".
func checkNick(s string) string {
	switch {
	case s == "":
		return "is empty"
	case strings.ContainsAny(s, " ,*?!@:.\x00") || strings.ContainsFunc(s, isControl):
		return fmt.Sprintf("%q contains a character IRC nicks cannot have (space , * ? ! @ : .)", s)
	case strings.ContainsAny(s[:1], "0123456789-#&$"):
		return fmt.Sprintf("%q cannot start with %q", s, s[:1])
	}
	return ""
}

// parseChannel reads an autojoin entry, "#chan" or "#chan key".
func parseChannel(s string) (Channel, string) {
	f := strings.Fields(s)
	switch {
	case len(f) == 0:
		return Channel{}, "is empty"
	case len(f) > 2:
		return Channel{}, "has more than a channel and a key (write one channel per string: \"#chan key\")"
	case strings.ContainsAny(f[0], ",\x07") || strings.ContainsFunc(s, isControl):
		return Channel{}, "channel names cannot contain commas or control characters (one channel per string)"
	case !strings.ContainsAny(f[0][:1], "#&+!"):
		return Channel{}, fmt.Sprintf("%q does not start with #, &, + or ! (did you mean \"#%s\"?)", f[0], f[0])
	}
	ch := Channel{Name: f[0]}
	if len(f) == 2 {
		ch.Key = f[1]
	}
	return ch, ""
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// foldName is how network names are compared: case-insensitively, as the
// chat log directories built from them are on some file systems.
func foldName(s string) string { return strings.ToLower(s) }
