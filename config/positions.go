package config

import (
	"strconv"
	"strings"
)

// BurntSushi/toml records key positions only privately, and for arrays of
// tables it keeps one position per key name, not per [[network]] table. So
// Load finds lines itself with this scanner: it follows table headers
// ([ui], [[network]], [network.sasl]) and "key = value" lines, and maps each
// key path to its line. The TOML parser has already accepted the file, so
// the scanner only needs to be right on valid TOML; keys inside an inline
// table (sasl = { ... }) resolve to the line of the table's key, which is
// the same line.

// pathSep joins path segments in position keys; it cannot occur in a key
// the scanner reports, so quoted keys with dots stay distinct.
const pathSep = "\x1f"

// indexSeg is the path segment for the i-th table of an array of tables.
func indexSeg(i int) string { return "#" + strconv.Itoa(i) }

type positions map[string]int

// line returns the line of path, or of its nearest recorded ancestor, or 0.
func (p positions) line(path []string) int {
	for n := len(path); n > 0; n-- {
		if l, ok := p[strings.Join(path[:n], pathSep)]; ok {
			return l
		}
	}
	return 0
}

func scanPositions(data string) positions {
	pos := positions{}
	arrays := map[string]int{} // unindexed table path -> [[...]] headers seen
	var prefix []string        // current table, with array indexes
	indexed := func(segs []string) []string {
		var out []string
		for j := range segs {
			out = append(out, segs[j])
			if c, ok := arrays[strings.Join(segs[:j+1], pathSep)]; ok && c > 0 {
				out = append(out, indexSeg(c-1))
			}
		}
		return out
	}
	record := func(path []string, line int) {
		k := strings.Join(path, pathSep)
		if _, ok := pos[k]; !ok {
			pos[k] = line
		}
	}
	inMulti := "" // the closing delimiter while inside a multi-line string
	for i, raw := range strings.Split(data, "\n") {
		line := i + 1
		s := strings.TrimSpace(raw)
		if inMulti != "" {
			if strings.Count(s, inMulti)%2 == 1 {
				inMulti = ""
			}
			continue
		}
		if s == "" || s[0] == '#' {
			continue
		}
		if strings.HasPrefix(s, "[[") {
			segs, rest, ok := parseKey(s[2:])
			if !ok || !strings.HasPrefix(strings.TrimSpace(rest), "]]") {
				continue
			}
			arrays[strings.Join(segs, pathSep)]++
			prefix = indexed(segs)
			record(prefix, line)
			continue
		}
		if s[0] == '[' {
			segs, rest, ok := parseKey(s[1:])
			if !ok || !strings.HasPrefix(strings.TrimSpace(rest), "]") {
				continue
			}
			prefix = indexed(segs)
			record(prefix, line)
			continue
		}
		segs, rest, ok := parseKey(s)
		rest = strings.TrimSpace(rest)
		if !ok || !strings.HasPrefix(rest, "=") {
			continue // a continuation line of a multi-line array
		}
		full := append(append([]string(nil), prefix...), segs...)
		for n := len(prefix) + 1; n <= len(full); n++ {
			record(full[:n], line)
		}
		value := strings.TrimSpace(rest[1:])
		for _, delim := range []string{`"""`, `'''`} {
			if strings.HasPrefix(value, delim) && strings.Count(value, delim)%2 == 1 {
				inMulti = delim
			}
		}
	}
	return pos
}

// parseKey reads a dotted TOML key (bare, "basic" or 'literal' parts) from
// the start of s and returns its parts and the text after it.
func parseKey(s string) (segs []string, rest string, ok bool) {
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return nil, "", false
		}
		switch s[0] {
		case '"':
			end := 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				return nil, "", false
			}
			k, err := strconv.Unquote(s[:end+1])
			if err != nil {
				k = s[1:end]
			}
			segs = append(segs, k)
			s = s[end+1:]
		case '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return nil, "", false
			}
			segs = append(segs, s[1:end+1])
			s = s[end+2:]
		default:
			end := 0
			for end < len(s) && isBareKeyByte(s[end]) {
				end++
			}
			if end == 0 {
				return nil, "", false
			}
			segs = append(segs, s[:end])
			s = s[end:]
		}
		s = strings.TrimLeft(s, " \t")
		if !strings.HasPrefix(s, ".") {
			return segs, s, true
		}
		s = s[1:]
	}
}

func isBareKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// displayPath turns a position path into the key users see in errors:
// "network[2].sasl.mechanism" (1-based: the 2nd [[network]] table),
// `sts.pins."irc.libera.chat"`.
func displayPath(path []string) string {
	var b strings.Builder
	for i, seg := range path {
		if strings.HasPrefix(seg, "#") {
			n, _ := strconv.Atoi(seg[1:])
			b.WriteString("[" + strconv.Itoa(n+1) + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		bare := seg != ""
		for j := 0; j < len(seg); j++ {
			if !isBareKeyByte(seg[j]) {
				bare = false
				break
			}
		}
		if bare {
			b.WriteString(seg)
		} else {
			b.WriteString(strconv.Quote(seg))
		}
	}
	return b.String()
}
