package chatlog

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ferry-irc/ferry/net/ircx"
)

// ServerFile is the log of a network's server buffer (Buffer ""). It
// starts with '@', which FileName always escapes, so no channel or nick
// can map to it.
const ServerFile = "@server.log"

// FileName is the log file name of a buffer on a network whose case
// mapping is cm: the name folded with cm, the session's rule for which
// names are one buffer (so "#Ferry" and "#ferry" share a file, and under
// rfc1459 "[bob]" and "{bob}" too, while under ascii they are two channels
// and two files), plus ".log". Bytes that are unsafe in file names on any
// common system (path separators, '\\', ':', '*', '?', '|', '<', '>', '"',
// control and bidi characters, a leading '.') are written as %XX, so
// distinct names stay distinct and no name can leave the network's
// directory. Windows device names (con, nul, ...) are escaped as well, and
// very long names are shortened with a hash.
func FileName(cm ircx.Casemap, buffer string) string {
	return escapeFolded(cm.Fold(buffer)) + ".log"
}

// DirName is the directory of a network's logs, escaped like FileName.
func DirName(network string) string {
	if network == "" {
		return "@unknown"
	}
	return escapeName(network)
}

const maxNameLen = 200

// escapeName escapes a network name (ours, from the configuration) folded
// with rfc1459.
func escapeName(name string) string { return escapeFolded(ircx.CasemapRFC1459.Fold(name)) }

// escapeFolded escapes a folded name for a file name. Folding leaves
// invalid UTF-8 as it is, to be escaped here.
func escapeFolded(folded string) string {
	var b strings.Builder
	for i := 0; i < len(folded); {
		c := folded[i]
		if c < utf8.RuneSelf {
			if safeByte(c) && !(i == 0 && c == '.') {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "%%%02X", c)
			}
			i++
			continue
		}
		r, size := decodeRune(folded[i:])
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)) {
			b.WriteString(folded[i : i+size])
		} else {
			for j := i; j < i+size; j++ {
				fmt.Fprintf(&b, "%%%02X", folded[j])
			}
		}
		i += size
	}
	s := b.String()
	if s == "" {
		s = "%00"
	}
	base, _, _ := strings.Cut(s, ".")
	if windowsReserved[base] {
		s = fmt.Sprintf("%%%02X", s[0]) + s[1:]
	}
	if len(s) > maxNameLen {
		h := fnv.New32a()
		h.Write([]byte(s))
		cut := maxNameLen - 9
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = fmt.Sprintf("%s~%08x", s[:cut], h.Sum32())
	}
	return s
}

func safeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("#&+!-_.^{}=", c) >= 0
}

var windowsReserved = map[string]bool{
	"con": true, "prn": true, "aux": true, "nul": true,
	"com1": true, "com2": true, "com3": true, "com4": true, "com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true, "lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true,
}

func decodeRune(s string) (rune, int) {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		size = 1
	}
	return r, size
}
