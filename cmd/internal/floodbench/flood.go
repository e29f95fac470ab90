package main

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// words is the vocabulary of the generated chat: common English, some
// IRC and programming talk, so line lengths and word shapes look like a
// busy technical channel.
var words = strings.Fields(`the be to of and a in that have I it for not on with he as you do at
this but his by from they we say her she or an will my one all would there their what so up
out if about who get which go me when make can like time no just him know take people into
year your good some could them see other than then now look only come its over think also back
after use two how our work first well way even new want because any these give day most us
is are was were been has had did does said got made went seen thanks lol yes yeah ok hmm sure
maybe really actually probably anyway right though still already again never always sometimes
server client channel network nick bouncer connection reconnect migrate kernel patch build test
commit branch merge release bug crash fix issue log config TLS cert port proxy latency packet
go rust python shell script function compile linker library module package version upstream
works broken weird interesting nice great cool fine slow fast today tomorrow yesterday tonight
morning evening week weekend coffee lunch meeting review deploy rollback outage alert pager disk
memory cpu cache queue thread lock race deadlock goroutine channel buffer pointer slice string`)

var hosts = []string{"user/", "gateway/web/", "2001:db8::", "host-", "ip-10-0-", "static.", "unaffiliated/"}

// makeNicks returns n distinct, plausible nicks.
func makeNicks(n int) []string {
	stems := []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
		"mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoe"}
	out := make([]string, n)
	for i := range out {
		s := stems[i%len(stems)]
		switch k := i / len(stems); {
		case k == 0:
		case k%3 == 1:
			s += "_" + strconv.Itoa(k)
		case k%3 == 2:
			s += strconv.Itoa(k) + "x"
		default:
			s = "[" + s + strconv.Itoa(k) + "]"
		}
		out[i] = s
	}
	return out
}

// generateFlood returns n PRIVMSG lines to channel, framed with CRLF, from
// the given nicks, deterministic for a seed. Most lines are plain text of
// 3 to 30 words; a few are addressed ("nick: …"), carry a URL, are
// actions, or use mIRC bold/colour, about as often as in a real channel.
func generateFlood(n int, channel string, nicks []string, seed int64) []byte {
	r := rand.New(rand.NewPCG(uint64(seed), 0x666c6f6f64))
	var b strings.Builder
	b.Grow(n * 110)
	for range n {
		i := r.IntN(len(nicks))
		nick := nicks[i]
		b.WriteByte(':')
		b.WriteString(nick)
		b.WriteString("!~")
		b.WriteString(strings.Trim(nick, "[]_0123456789x"))
		b.WriteByte('@')
		b.WriteString(hosts[i%len(hosts)])
		b.WriteString(strconv.Itoa(i))
		b.WriteString(" PRIVMSG ")
		b.WriteString(channel)
		b.WriteString(" :")
		text := sentence(r, 3+r.IntN(28))
		switch k := r.IntN(100); {
		case k < 8:
			text = nicks[r.IntN(len(nicks))] + ": " + text
		case k < 12:
			text += " https://example.org/" + words[r.IntN(len(words))] + "/" + strconv.Itoa(r.IntN(100000))
		case k < 14:
			text = "\x01ACTION " + text + "\x01"
		case k < 15:
			text = "\x02" + words[r.IntN(len(words))] + "\x02 " + text
		case k < 16:
			text = "\x0304" + words[r.IntN(len(words))] + "\x03 " + text
		}
		b.WriteString(text)
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

func sentence(r *rand.Rand, n int) string {
	var b strings.Builder
	for j := range n {
		if j > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	if r.IntN(3) == 0 {
		b.WriteByte('?')
	}
	return b.String()
}

// generateJoins returns n JOIN lines to channel from n distinct nicks,
// framed with CRLF: a join flood that grows the channel by n members.
// The nicks contain a '|', which makeNicks never uses, so none of them is
// in the channel already.
func generateJoins(n int, channel string) []byte {
	var b strings.Builder
	b.Grow(n * 60)
	for i := 0; i < n; i++ {
		nick := "j|" + strconv.FormatInt(int64(i), 36)
		b.WriteByte(':')
		b.WriteString(nick)
		b.WriteString("!~u")
		b.WriteString(strconv.Itoa(i % 1000))
		b.WriteByte('@')
		b.WriteString(hosts[i%len(hosts)])
		b.WriteString(strconv.Itoa(i))
		b.WriteString(" JOIN ")
		b.WriteString(channel)
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}
