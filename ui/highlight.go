package ui

// highlighted reports whether text mentions our nick on n or one of the
// configured highlight words. The word rule is ircx's (Casemap.ContainsWord:
// whole word, any case, mIRC formatting ignored), the one the session
// decides Message.Highlight with, so our nick highlights the same lines
// here as there; the UI adds only the words the user configured.
func (m *model) highlighted(n *network, text string) bool {
	if n.nick != "" && n.casemap.ContainsWord(text, n.nick) {
		return true
	}
	for _, w := range m.hlWords {
		if n.casemap.ContainsWord(text, w) {
			return true
		}
	}
	return false
}
