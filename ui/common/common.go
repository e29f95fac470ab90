// Package common is what the components under ui/ share with the root
// model: the size they draw in, the theme's styles and the key map. The
// root model owns the values and hands each component its Common (with
// the component's own size) from Update; a component's View reads it and
// changes nothing.
package common

import (
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/keymap"
)

// Common is a component's share of the root model's settings. Styles and
// Keys are shared by pointer and never modified by a component; Width and
// Height are the component's own, in cells.
type Common struct {
	Width, Height int
	Styles        *themes.Styles
	Keys          *keymap.KeyMap
}
