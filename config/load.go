package config

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Load reads, defaults and validates the config file at path.
//
// A file that cannot be read gives the os error, wrapped (so
// errors.Is(err, fs.ErrNotExist) tells the caller to offer WriteExample).
// A file that was read but is not valid gives Errors: every problem found,
// in file order, each with file, line and key. Load has no side effects
// beyond reading path, checking that ca_file/client_cert/client_key
// files exist and that notify_cmd's program exists and is executable.
func Load(path string) (*Config, error) { return LoadWith(path, Checks{}) }

// Checks are the rules Load cannot apply alone because the things they
// check live outside this package (config imports nothing of ferry's). A
// nil func checks nothing. An error a check returns is reported like every
// other problem, with the file, line and key of the value.
type Checks struct {
	// Theme reports why [ui] theme cannot be loaded (an unknown name, a
	// user theme file that does not parse), or nil.
	Theme func(name string) error
}

// LoadWith is Load with the checks c applied as well: cmd/ferry passes the
// themes package's loader so that --check-config and a start refuse the
// same files.
func LoadWith(path string, c Checks) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := parseWith(path, string(data), c)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		for _, n := range cfg.Networks {
			if n.Password != "" || (n.SASL != nil && n.SASL.Password != "") {
				cfg.Warnings = append(cfg.Warnings, &Error{File: path, Msg: fmt.Sprintf(
					"contains a password but other users can read it (mode %04o): run chmod 600 %s, or use password_cmd", fi.Mode().Perm(), path)})
				break
			}
		}
	}
	return cfg, nil
}

// parse is Load on data already read; file names the source in errors.
func parse(file, data string) (*Config, error) { return parseWith(file, data, Checks{}) }

// parseWith is parse with the checks c.
func parseWith(file, data string, c Checks) (*Config, error) {
	var raw map[string]any
	if _, err := toml.Decode(data, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, Errors{{File: file, Line: pe.Position.Line, Key: pe.LastKey, Msg: "not valid TOML: " + pe.Message}}
		}
		return nil, Errors{{File: file, Msg: "not valid TOML: " + err.Error()}}
	}
	d := &decoder{file: file, pos: scanPositions(data), checks: c}
	cfg := d.config(raw)
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
		return nil, d.errs
	}
	cfg.Path = file
	sort.SliceStable(d.warns, func(i, j int) bool { return d.warns[i].Line < d.warns[j].Line })
	cfg.Warnings = d.warns
	return cfg, nil
}

// decoder turns the generic TOML tree into a Config, collecting every error
// instead of stopping at the first.
type decoder struct {
	file   string
	pos    positions
	checks Checks
	errs   Errors
	warns  Errors
}

func (d *decoder) warnf(path []string, format string, args ...any) {
	d.warns = append(d.warns, &Error{
		File: d.file,
		Line: d.pos.line(path),
		Key:  displayPath(path),
		Msg:  fmt.Sprintf(format, args...),
	})
}

func (d *decoder) errorf(path []string, format string, args ...any) {
	d.errs = append(d.errs, &Error{
		File: d.file,
		Line: d.pos.line(path),
		Key:  displayPath(path),
		Msg:  fmt.Sprintf(format, args...),
	})
}

func child(path []string, seg string) []string {
	return append(append(make([]string, 0, len(path)+1), path...), seg)
}

// typeName names a decoded TOML value's type as the TOML spec does.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	case time.Time:
		return "a date/time"
	}
	return fmt.Sprintf("%T", v)
}

// knownKeys reports every key of m that is not in allowed, with a
// suggestion when one is close.
func (d *decoder) knownKeys(path []string, m map[string]any, allowed ...string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		found := false
		for _, a := range allowed {
			if k == a {
				found = true
				break
			}
		}
		if found {
			continue
		}
		msg := "unknown key"
		if s := suggest(k, allowed); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else {
			msg += fmt.Sprintf(" (known keys here: %s)", strings.Join(allowed, ", "))
		}
		d.errorf(child(path, k), "%s", msg)
	}
}

func (d *decoder) str(path []string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		d.errorf(path, "must be a string, not %s", typeName(v))
	}
	return s, ok
}

func (d *decoder) boolean(path []string, v any) (bool, bool) {
	b, ok := v.(bool)
	if !ok {
		hint := ""
		if s, isStr := v.(string); isStr && (s == "true" || s == "false") {
			hint = fmt.Sprintf(" (write %s without quotes)", s)
		}
		d.errorf(path, "must be true or false, not %s%s", typeName(v), hint)
	}
	return b, ok
}

func (d *decoder) integer(path []string, v any) (int64, bool) {
	n, ok := v.(int64)
	if !ok {
		hint := ""
		if _, isStr := v.(string); isStr {
			hint = " (write the number without quotes)"
		}
		d.errorf(path, "must be an integer, not %s%s", typeName(v), hint)
	}
	return n, ok
}

func (d *decoder) table(path []string, v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		d.errorf(path, "must be a table, not %s", typeName(v))
	}
	return m, ok
}

func (d *decoder) strings(path []string, v any) ([]string, bool) {
	arr, ok := v.([]any)
	if !ok {
		hint := ""
		if _, isStr := v.(string); isStr {
			hint = ` (write ["..."] even for one)`
		}
		d.errorf(path, "must be an array of strings, not %s%s", typeName(v), hint)
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, isStr := e.(string)
		if !isStr {
			d.errorf(path, "element %d must be a string, not %s", i+1, typeName(e))
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}

// suggest returns the allowed key closest to k when it is plausibly a typo.
func suggest(k string, allowed []string) string {
	best, bestDist := "", 3
	for _, a := range allowed {
		if dist := editDistance(strings.ToLower(k), a); dist < bestDist {
			best, bestDist = a, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
