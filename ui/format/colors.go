package format

// basicColors maps mIRC colours 0-15 to ANSI colour numbers, so that the
// sixteen common colours follow the terminal's own palette.
var basicColors = [16]string{
	"15", // 0 white
	"0",  // 1 black
	"4",  // 2 blue (navy)
	"2",  // 3 green
	"9",  // 4 red
	"1",  // 5 brown (maroon)
	"5",  // 6 purple
	"3",  // 7 orange (olive)
	"11", // 8 yellow
	"10", // 9 light green
	"6",  // 10 cyan (teal)
	"14", // 11 light cyan
	"12", // 12 light blue
	"13", // 13 pink
	"8",  // 14 grey
	"7",  // 15 light grey
}

// extendedColors are mIRC colours 16-98 as defined by the modern IRC
// formatting reference; a Painter degrades them to the terminal's depth.
var extendedColors = [83]string{
	"#470000", "#472100", "#474700", "#324700", "#004700", "#00472c", "#004747", "#002747", "#000047", "#2e0047", "#470047", "#47002a",
	"#740000", "#743a00", "#747400", "#517400", "#007400", "#007449", "#007474", "#004074", "#000074", "#4b0074", "#740074", "#740045",
	"#b50000", "#b56300", "#b5b500", "#7db500", "#00b500", "#00b571", "#00b5b5", "#0063b5", "#0000b5", "#7500b5", "#b500b5", "#b5006b",
	"#ff0000", "#ff8c00", "#ffff00", "#b2ff00", "#00ff00", "#00ffa0", "#00ffff", "#008cff", "#0000ff", "#a500ff", "#ff00ff", "#ff0098",
	"#ff5959", "#ffb459", "#ffff71", "#cfff60", "#6fff6f", "#65ffc9", "#6dffff", "#59b4ff", "#5959ff", "#c459ff", "#ff66ff", "#ff59bc",
	"#ff9c9c", "#ffd39c", "#ffff9c", "#e2ff9c", "#9cff9c", "#9cffdb", "#9cffff", "#9cd3ff", "#9c9cff", "#dc9cff", "#ff9cff", "#ff94d3",
	"#000000", "#131313", "#282828", "#363636", "#4d4d4d", "#656565", "#818181", "#9f9f9f", "#bcbcbc", "#e2e2e2", "#ffffff",
}

// mircColor returns the Attr colour for mIRC colour number n; ok is false for
// 99 (the default colour) and for numbers outside 0-98.
func mircColor(n int) (c string, ok bool) {
	switch {
	case n >= 0 && n < 16:
		return basicColors[n], true
	case n >= 16 && n < 99:
		return extendedColors[n-16], true
	}
	return "", false
}

// parseColorArgs reads the arguments of \x03: up to two digits of
// foreground, then optionally a comma and up to two digits of background
// (the comma is only consumed when a digit follows it). fg/bg are -1 when
// absent; n is the number of bytes consumed.
func parseColorArgs(s string) (fg, bg, n int) {
	fg, bg = -1, -1
	d, k := digits(s)
	if k == 0 {
		return fg, bg, 0
	}
	fg, n = d, k
	if n+1 < len(s) && s[n] == ',' {
		if d, k := digits(s[n+1:]); k > 0 {
			bg = d
			n += 1 + k
		}
	}
	return fg, bg, n
}

func digits(s string) (v, n int) {
	for n < 2 && n < len(s) && s[n] >= '0' && s[n] <= '9' {
		v = v*10 + int(s[n]-'0')
		n++
	}
	return v, n
}

// parseHexArgs reads the arguments of \x04: RRGGBB, optionally followed by
// ,RRGGBB. Colours are returned as "#rrggbb" ("" when absent).
func parseHexArgs(s string) (fg, bg string, n int) {
	if !isHex6(s) {
		return "", "", 0
	}
	fg, n = "#"+s[:6], 6
	if len(s) >= 13 && s[6] == ',' && isHex6(s[7:]) {
		bg = "#" + s[7:13]
		n = 13
	}
	return fg, bg, n
}

func isHex6(s string) bool {
	if len(s) < 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
