package scrollback

import (
	"sync/atomic"
	"time"

	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/format"
)

// Joins says how join, part, quit and nick-change lines are shown.
type Joins int

const (
	JoinsFold Joins = iota // consecutive ones are summarised in one line (default)
	JoinsShow              // each on its own line
	JoinsHide              // not shown at all
)

// ParseJoins reads the show_joins setting: "folded" (or ""), "all", "none".
func ParseJoins(s string) (Joins, bool) {
	switch s {
	case "", "folded", "fold":
		return JoinsFold, true
	case "all", "show":
		return JoinsShow, true
	case "none", "hide":
		return JoinsHide, true
	}
	return JoinsFold, false
}

// Options are the View settings that change how lines look.
type Options struct {
	// TimeFormat is a time.Format layout for the timestamp column; default
	// "15:04". "-" hides timestamps.
	TimeFormat string
	Joins      Joins
	// NickWidth is the width of the right-aligned nick column; longer nicks
	// are cut with "…". Default 12. Narrow terminals shrink it.
	NickWidth int
	// Location is the time zone of timestamps and day-separator labels;
	// default the buffer's (Buffer.SetLocation, itself default time.Local).
	Location *time.Location
}

func (v *View) withDefaults(o Options) Options {
	if o.Location == nil {
		o.Location = v.buf.loc
	}
	return o.withDefaults()
}

func (o Options) withDefaults() Options {
	if o.TimeFormat == "" {
		o.TimeFormat = "15:04"
	}
	if o.NickWidth <= 0 {
		o.NickWidth = 12
	}
	return o
}

// generations hands out View cache generations, unique across views so a
// slot's cache is never mistaken for another view's or setting's.
var generations atomic.Uint64

// View is a window onto a Buffer: it renders only the rows that are on
// screen, reusing each line's wrapped rows until the width, the styles or
// the options change (or the line is updated). The scroll position is kept
// as the display entry at the bottom of the window, so lines arriving while
// the user reads history do not move the text, and scrolling costs the
// rows moved, never the length of the scrollback.
type View struct {
	buf    *Buffer
	styles *themes.Styles
	opts   Options
	width  int
	height int
	gen    uint64
	lay    layout
	paint  format.Painter
	attrs  attrs

	// follow: the bottom of the window is the newest line. Otherwise
	// bottom is the seq of the last line of the display entry at the
	// bottom and hidden the number of its rows below the window.
	follow bool
	bottom uint64
	hidden int
	epoch  uint64 // the buffer epoch bottom refers to

	rows   []string // reused by Render
	search string   // text marked as search hits ("" none)
}

// NewView returns a view of b at the bottom (following new lines), drawn
// with st. Call SetSize before Render.
func NewView(b *Buffer, st *themes.Styles, opts Options) *View {
	v := &View{buf: b, follow: true, epoch: b.epoch}
	v.opts = v.withDefaults(opts)
	v.SetStyles(st)
	return v
}

// Buffer returns the buffer the view shows.
func (v *View) Buffer() *Buffer { return v.buf }

// SetStyles switches theme; every cached row is redrawn lazily.
func (v *View) SetStyles(st *themes.Styles) {
	v.styles = st
	v.paint = format.PainterFor(st)
	v.attrs = newAttrs(st)
	v.invalidate()
}

// SetOptions changes timestamps, folding or the nick column.
func (v *View) SetOptions(o Options) {
	v.opts = v.withDefaults(o)
	v.invalidate()
}

// SetSearch marks every occurrence of query (ignoring case) in the
// message text with the theme's SearchMatch style, until called with "".
// Use it with Buffer.Find and ScrollTo to show and step through hits.
func (v *View) SetSearch(query string) {
	if query != v.search {
		v.search = query
		v.invalidate()
	}
}

// Options returns the current options (with defaults filled in).
func (v *View) Options() Options { return v.opts }

// SetSize sets the window size in cells. A width change drops the cached
// rows (lazily); a height change does not.
func (v *View) SetSize(width, height int) {
	if width < 1 {
		width = 1
	}
	if height < 0 {
		height = 0
	}
	if width != v.width {
		v.width = width
		v.invalidate()
	}
	v.height = height
	v.clamp()
}

// Size returns the window size.
func (v *View) Size() (width, height int) { return v.width, v.height }

func (v *View) invalidate() {
	v.gen = generations.Add(1)
	v.lay = newLayout(v.opts, v.width)
}

// AtBottom reports whether the view follows the newest line.
func (v *View) AtBottom() bool { return v.follow }
