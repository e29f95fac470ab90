// Package format turns IRC message text into safe, styled terminal text.
//
// Text from the network is untrusted: it may carry mIRC formatting codes
// (which we interpret), and it may carry terminal escape sequences, C0/C1
// control characters and bidi overrides (which we never pass through).
// Parse is the only way message text enters a frame: it consumes the mIRC
// codes and replaces every other dangerous character with a visible
// placeholder (the Unicode control pictures ␛ ␇ …, or U+FFFD), so a Span's
// Text is always printable. A Painter then emits SGR sequences itself, for
// the terminal's colour profile, around those spans. Nicks and channel
// names go through SanitizeName, which also makes invisible characters
// visible, and every width is measured with Width.
//
// The package is plain data in, strings out: no Bubble Tea, no network.
package format
