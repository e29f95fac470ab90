package ui

import "github.com/ferry-irc/ferry/ui/keymap"

// defaultKeys is the key map every model uses; /help and the welcome line
// describe it, so what they say is what the keys do.
var defaultKeys = keymap.Default()

// keyHelp is "/help keys": every key, one line per group.
func keyHelp() []string { return defaultKeys.HelpLines() }

// keySummary is the key line of "/help": the main keys and where the rest
// are listed.
func keySummary() string {
	return "keys: " + defaultKeys.Short() + " · /help keys lists every key"
}

// welcomeText is the first line of the first server buffer.
func welcomeText(version string) string {
	s := "ferry"
	if version != "" {
		s += " " + version
	}
	return s + " — /help lists commands and keys · " + defaultKeys.Short()
}
