package format

// Attr is a set of display attributes. Colours use the lipgloss notation:
// "" for the terminal default, "#rrggbb" for true colour, or an ANSI number
// "0".."255".
type Attr struct {
	FG, BG    string
	Bold      bool
	Faint     bool
	Italic    bool
	Underline bool
	Strike    bool
	Reverse   bool
}

// over returns a laid over base: a's colours win where set, flags combine.
func (a Attr) over(base Attr) Attr {
	if a.FG == "" {
		a.FG = base.FG
	}
	if a.BG == "" {
		a.BG = base.BG
	}
	a.Bold = a.Bold || base.Bold
	a.Faint = a.Faint || base.Faint
	a.Italic = a.Italic || base.Italic
	a.Underline = a.Underline || base.Underline
	a.Strike = a.Strike || base.Strike
	a.Reverse = a.Reverse != base.Reverse // reverse of reverse is normal
	return a
}

// Span is a run of printable text with one set of attributes. Text never
// contains a control character, escape sequence or bidi override: Parse
// replaced them by placeholders and set Control.
type Span struct {
	Text string
	Attr Attr
	// Mono is set inside \x11 (monospace); terminals are monospace already,
	// so it does not change the output.
	Mono bool
	// URL marks text recognised as a link (http://, https://, www.).
	URL bool
	// Control marks a placeholder that stands for a removed character.
	Control bool
	// Match marks a search hit (see Mark).
	Match bool
}
