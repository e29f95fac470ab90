package config

import (
	"errors"
	"strings"
	"testing"
)

// TestPositionsInAwkwardLayouts: the line scanner finds keys in sub-tables
// of [[network]], dotted keys, after multi-line arrays and strings, and
// with quoted keys.
func TestPositionsInAwkwardLayouts(t *testing.T) {
	body := `# comment
[ui]
highlights = [
  "a",
  "b = c",
]
theme = """
port = 1
"""

[[network]]
host = "one.example"
nick = "a"

[[network]]
host = "two.example"
nick = "b"
flood.burst = 0

[network.sasl]
mechanism = "PLAIN"
password = "x"
colour = "red"

[[network]]
"host" = "three.example"
nick = "c"
'port' = 0

[sts.pins]
"irc.example.net" = 6697
"bad.example" = -1
`
	_, err := parse("f.toml", body)
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	want := []string{
		"f.toml:18: network[2].flood.burst: 0 is out of range 1-1000",
		`f.toml:23: network[2].sasl.colour: unknown key (known keys here: mechanism, username, password, password_cmd, required)`,
		"f.toml:28: network[3].port: 0 is out of range 1-65535",
		`f.toml:32: sts.pins."bad.example": port -1 is out of range 1-65535`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestInlineNetworkArray(t *testing.T) {
	cfg, err := parse("f.toml", `network = [
  { host = "a.example", nick = "a" },
  { host = "b.example", nick = "b", port = 0 },
]`)
	if cfg != nil || err == nil || !strings.HasPrefix(err.Error(), "f.toml:1: network[2].port: ") {
		t.Errorf("err = %v", err)
	}
	cfg, err = parse("f.toml", `network = [{ host = "a.example", nick = "a" }]`)
	if err != nil || len(cfg.Networks) != 1 {
		t.Errorf("inline array of tables: %v", err)
	}
}

func TestEmptyFile(t *testing.T) {
	cfg, err := parse("f.toml", "")
	if err != nil || len(cfg.Networks) != 0 || cfg.UI.Theme != DefaultTheme {
		t.Errorf("empty file: %+v, %v", cfg, err)
	}
}

// FuzzParse: no input makes the loader or its line scanner panic, and any
// error it returns is located in the file.
func FuzzParse(f *testing.F) {
	f.Add(Example())
	f.Add("[[network]]\nhost = \"h\"\nnick = \"n\"\nsasl = { mechanism = \"EXTERNAL\" }\n")
	f.Add("[ui]\nhighlights = [\n\"a\",\n]\ntheme = '''\nx\n'''\n[network.sasl]\n")
	f.Add("[sts.pins]\n\"a\\\"b\" = 1\n'c.d' = 2\n")
	f.Fuzz(func(t *testing.T, body string) {
		_, err := parse("f.toml", body)
		var errs Errors
		if err != nil && !errors.As(err, &errs) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		for _, e := range errs {
			if e.File != "f.toml" || e.Line < 0 || e.Line > strings.Count(body, "\n")+1 {
				t.Fatalf("bad location: %+v", e)
			}
		}
	})
}
