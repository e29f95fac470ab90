// Package themes holds ferry's colour themes: the built-in ones as TOML data
// files embedded in the binary, a loader that lets a user file override or
// extend them, and the conversion of a theme into one struct of lipgloss
// styles (Styles) that every UI component shares.
//
// A theme is data, not code, so users can copy a built-in file into
// $XDG_CONFIG_HOME/ferry/themes/ and change it without rebuilding ferry.
package themes

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

//go:embed *.toml
var builtinFS embed.FS

// Default is the theme used when the configuration names none.
const Default = "dark"

// Color is a colour as written in a theme file: "#rrggbb", "#rgb", an ANSI
// number "0".."255" (a bare TOML integer is accepted too), or "" / "default"
// for the terminal's default colour.
type Color string

// UnmarshalTOML accepts a string or an integer so that `fg = 4` and
// `fg = "#ff0000"` both work.
func (c *Color) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		*c = Color(x)
	case int64:
		*c = Color(strconv.FormatInt(x, 10))
	default:
		return fmt.Errorf("colour must be a string or a number, not %T", v)
	}
	return c.validate()
}

// validate reports whether c is a colour lipgloss understands.
func (c Color) validate() error {
	s := string(c)
	switch {
	case s == "" || s == "default":
		return nil
	case strings.HasPrefix(s, "#"):
		h := s[1:]
		if len(h) != 3 && len(h) != 6 {
			return fmt.Errorf("colour %q: want #rgb or #rrggbb", s)
		}
		if _, err := strconv.ParseUint(h, 16, 32); err != nil {
			return fmt.Errorf("colour %q: not hexadecimal", s)
		}
		return nil
	default:
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 255 {
			return fmt.Errorf("colour %q: want #rrggbb or an ANSI number 0-255", s)
		}
		return nil
	}
}

// lip returns the colour in the form lipgloss.Color takes ("" for default),
// expanding #rgb to #rrggbb.
func (c Color) lip() string {
	s := string(c)
	if s == "default" {
		return ""
	}
	if len(s) == 4 && s[0] == '#' {
		return "#" + string([]byte{s[1], s[1], s[2], s[2], s[3], s[3]})
	}
	return s
}

// Spec is one style as written in a theme file. Nil fields are unset, so a
// user file can override just the foreground of a built-in style.
type Spec struct {
	FG        *Color `toml:"fg"`
	BG        *Color `toml:"bg"`
	Bold      *bool  `toml:"bold"`
	Faint     *bool  `toml:"faint"`
	Italic    *bool  `toml:"italic"`
	Underline *bool  `toml:"underline"`
	Reverse   *bool  `toml:"reverse"`
	Strike    *bool  `toml:"strike"`
}

// merge returns s with every field set in o overriding it.
func (s Spec) merge(o Spec) Spec {
	if o.FG != nil {
		s.FG = o.FG
	}
	if o.BG != nil {
		s.BG = o.BG
	}
	if o.Bold != nil {
		s.Bold = o.Bold
	}
	if o.Faint != nil {
		s.Faint = o.Faint
	}
	if o.Italic != nil {
		s.Italic = o.Italic
	}
	if o.Underline != nil {
		s.Underline = o.Underline
	}
	if o.Reverse != nil {
		s.Reverse = o.Reverse
	}
	if o.Strike != nil {
		s.Strike = o.Strike
	}
	return s
}

// Theme is a fully resolved theme: every style key of StyleKeys present (a
// missing one is an empty Spec, i.e. terminal defaults).
type Theme struct {
	Name string
	// Nicks is the palette nick colours are hashed into (see NickIndex).
	Nicks []Color
	// Style maps a style key (see StyleKeys) to its spec.
	Style map[string]Spec
}

// file is the on-disk shape of a theme.
type file struct {
	Name string `toml:"name"`
	// Inherit names the built-in theme a user theme extends. A user file
	// with the name of a built-in theme extends that theme implicitly; any
	// other user theme without Inherit extends Default.
	Inherit string          `toml:"inherit"`
	Nicks   []Color         `toml:"nicks"`
	Style   map[string]Spec `toml:"style"`
}

// Builtin returns the names of the built-in themes, sorted.
func Builtin() []string {
	ents, _ := fs.ReadDir(builtinFS, ".")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".toml"))
	}
	sort.Strings(names)
	return names
}

// ErrUnknownTheme is returned (wrapped) by Load for a name that is neither a
// built-in theme nor a user theme file.
var ErrUnknownTheme = errors.New("unknown theme")

// Load resolves the theme called name. userDir is ferry's configuration
// directory (cmd passes $XDG_CONFIG_HOME/ferry); when
// <userDir>/themes/<name>.toml exists it overrides or extends the built-in
// theme of the same name (or its `inherit`, or Default). userDir "" means
// built-in themes only. An empty name means Default.
//
// Errors name the file and say what is wrong (unknown key, bad colour).
func Load(name, userDir string) (*Theme, error) {
	if name == "" {
		name = Default
	}
	if strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return nil, fmt.Errorf("theme %q: a theme name is a file name without directories", name)
	}
	var user *file
	if userDir != "" {
		path := filepath.Join(userDir, "themes", name+".toml")
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			f, err := decode(path, data)
			if err != nil {
				return nil, err
			}
			user = f
		case errors.Is(err, fs.ErrNotExist):
		default:
			return nil, fmt.Errorf("theme %q: %w", name, err)
		}
	}
	baseName := name
	if user != nil && user.Inherit != "" {
		baseName = user.Inherit
	}
	base, err := builtin(baseName)
	if err != nil {
		if user == nil {
			return nil, fmt.Errorf("theme %q: %w (built-in themes: %s)", name, ErrUnknownTheme, strings.Join(Builtin(), ", "))
		}
		if user.Inherit != "" {
			return nil, fmt.Errorf("theme %q: inherit %q: %w", name, user.Inherit, ErrUnknownTheme)
		}
		if base, err = builtin(Default); err != nil {
			return nil, err
		}
	}
	t := resolve(base)
	t.Name = name
	if user != nil {
		if len(user.Nicks) > 0 {
			t.Nicks = append([]Color(nil), user.Nicks...)
		}
		for k, s := range user.Style {
			t.Style[k] = t.Style[k].merge(s)
		}
	}
	return t, nil
}

// builtin decodes the embedded theme called name.
func builtin(name string) (*file, error) {
	data, err := builtinFS.ReadFile(name + ".toml")
	if err != nil {
		return nil, fmt.Errorf("theme %q: %w", name, ErrUnknownTheme)
	}
	return decode("builtin "+name+".toml", data)
}

// decode parses a theme file, rejecting unknown keys so that a typo is an
// error instead of a silently ignored setting.
func decode(path string, data []byte) (*file, error) {
	var f file
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown key %q", path, und[0].String())
	}
	for k := range f.Style {
		if !knownKey(k) {
			return nil, fmt.Errorf("%s: unknown style %q (known: %s)", path, k, strings.Join(StyleKeys, ", "))
		}
	}
	return &f, nil
}

// resolve turns a decoded file into a Theme with every key present.
func resolve(f *file) *Theme {
	t := &Theme{Name: f.Name, Nicks: append([]Color(nil), f.Nicks...), Style: make(map[string]Spec, len(StyleKeys))}
	for _, k := range StyleKeys {
		t.Style[k] = f.Style[k]
	}
	return t
}

func knownKey(k string) bool {
	for _, s := range StyleKeys {
		if s == k {
			return true
		}
	}
	return false
}
