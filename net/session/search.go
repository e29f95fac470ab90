package session

import (
	"sort"
	"strconv"
	"strings"

	"github.com/ferry-irc/ferry/net/event"
)

// Server-side search (soju.im/search, offered by soju and by ferryd): the
// UI's /search also asks the server, which keeps more history than the
// scrollback. "SEARCH in=<buffer>;text=<text>;limit=N" is answered by a
// batch of type soju.im/search holding the matching messages, collected
// like a chathistory page (they are history, never live traffic), or by
// FAIL SEARCH.

const (
	searchCap      = "soju.im/search"
	searchPageSize = 50  // messages asked for per search
	maxSearches    = 4   // searches awaiting their batch; older ones are forgotten
	maxSearchText  = 200 // bytes of search text sent
)

// searchRequest is a SEARCH awaiting its batch. Replies come in the order
// the requests were sent (a server answers one command before reading the
// next), so the oldest request owns the next search batch.
type searchRequest struct{ buffer, text string }

func isSearchBatchType(typ string) bool { return strings.EqualFold(typ, searchCap) }

// searchEnabled reports whether SEARCH can be used and its batch read.
func (s *Session) searchEnabled() bool { return s.caps[searchCap] && s.caps["batch"] }

// tagValueEscaper escapes a value as IRCv3 message tags do, which is how
// SEARCH's attributes are written.
var tagValueEscaper = strings.NewReplacer(`\`, `\\`, ";", `\:`, " ", `\s`, "\r", `\r`, "\n", `\n`)

// search answers command.Search: nothing when the server has no search.
func (s *Session) search(buffer, text string) {
	text = strings.TrimSpace(oneLine(text))
	if !s.searchEnabled() || text == "" {
		return
	}
	if len(text) > maxSearchText {
		text = clip(text, maxSearchText)
	}
	if len(s.searches) >= maxSearches {
		s.log.Printf("session: more than %d searches unanswered; forgetting the oldest", maxSearches)
		s.searches = append(s.searches[:0], s.searches[1:]...)
	}
	s.searches = append(s.searches, searchRequest{buffer: buffer, text: text})
	attrs := "in=" + tagValueEscaper.Replace(buffer) + ";text=" + tagValueEscaper.Replace(text) +
		";limit=" + strconv.Itoa(searchPageSize)
	s.send(ClassAuto, "SEARCH", attrs)
}

// takeSearch removes and returns the oldest search awaiting its answer.
func (s *Session) takeSearch() (searchRequest, bool) {
	if len(s.searches) == 0 {
		return searchRequest{}, false
	}
	r := s.searches[0]
	s.searches = append(s.searches[:0], s.searches[1:]...)
	return r, true
}

// searchDone turns a finished search batch into one SearchResults event.
func (s *Session) searchDone(h *handling, p *historyPage) {
	req, ok := s.takeSearch()
	if !ok {
		s.log.Printf("session: a search batch nobody asked for: %d lines dropped", p.lines)
		return
	}
	buffer := req.buffer
	if ch := s.joinedChannel(buffer); ch != nil {
		buffer = ch.name
	}
	sort.SliceStable(p.msgs, func(i, j int) bool { return p.msgs[i].Time.Before(p.msgs[j].Time) })
	for i := range p.msgs {
		p.msgs[i].Buffer = buffer
	}
	h.emit(event.SearchResults{Meta: h.meta, Buffer: buffer, Text: req.text, Messages: p.msgs})
}

// searchFailed handles FAIL SEARCH and 421 SEARCH: the oldest search is
// answered with the reason, so the UI does not wait for it. It reports
// false when no search was waiting (a SEARCH the user sent with /raw):
// the reply is then shown as any other.
func (s *Session) searchFailed(h *handling, reason string) bool {
	req, ok := s.takeSearch()
	if ok {
		h.emit(event.SearchResults{Meta: h.meta, Buffer: req.buffer, Text: req.text, Failed: clip(reason, maxLine)})
	}
	return ok
}
