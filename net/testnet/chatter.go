package testnet

import (
	"strings"
	"time"

	"gopkg.in/irc.v4"
)

// chatter is the built-in talker: a user in the network state without a
// socket. Messages to it arrive through user.local (under Network.mu) and
// are handed, without blocking, to its goroutine, which answers.
type chatter struct {
	u       *user
	channel string
	every   time.Duration
	lines   []string
	inbox   chan *irc.Message
	said    int
	replies int
}

var chatterLines = []string{
	"good morning, everyone",
	"has anyone tried /migrate yet? the connection just moves",
	"the kettle is on",
	"today's fact: IRC is older than the web",
	"I moved between servers twice while typing this and did not notice",
	"anyone up for a game of chess later?",
	"ferry keeps every line exactly once, even mid-migration",
	"rain again here",
	"reading the draft migrate spec, it is shorter than you would think",
	"lunch ideas? I vote noodles",
	"brb, coffee",
	"back",
	"who else runs their client in tmux?",
	"fun: s1 and s2 share one network state, so nobody sees you leave",
	"quiet in here today",
	"tip: /whois shows which server someone is on",
}

var chatterAnswers = []string{
	"I am only a bot, but I am listening",
	"interesting, tell me more",
	"that is what the logs say too",
	"good point",
	"let me think about that over coffee",
}

func (n *Network) startChatter(cfg Chatter) {
	if cfg.Nick == "" {
		cfg.Nick = "ferrybot"
	}
	if cfg.Channel == "" {
		cfg.Channel = "#ferry"
	}
	if cfg.Every <= 0 {
		cfg.Every = 8 * time.Second
	}
	if len(cfg.Lines) == 0 {
		cfg.Lines = chatterLines
	}
	ch := &chatter{channel: cfg.Channel, every: cfg.Every, lines: cfg.Lines, inbox: make(chan *irc.Message, 64)}
	u := &user{
		nick: cfg.Nick, username: "bot", realname: "ferry's resident chatter", host: "ferry/bot",
		node: n.nodes[0], registered: true, caps: map[string]bool{}, chans: map[*channel]bool{}, signon: n.now(),
	}
	u.local = func(m *irc.Message) {
		if m.Command != "PRIVMSG" || m.Prefix == nil || m.Prefix.Name == u.nick {
			return
		}
		select {
		case ch.inbox <- m:
		default: // busy: a bot may miss a line, the network never waits for it
		}
	}
	ch.u = u
	n.lock()
	if n.users[fold(u.nick)] == nil {
		n.users[fold(u.nick)] = u
		n.monitorNotify(u, true)
		n.joinOne(u, cfg.Channel)
		if c := n.chans[fold(cfg.Channel)]; c != nil && c.topic == "" {
			c.topic, c.topicBy, c.topicAt = "Welcome to ferry's demo network: try /migrate s2", u.prefix().String(), n.now()
		}
	}
	n.chatter = ch
	n.unlock()
	n.wg.Add(1)
	go n.chatterLoop(ch)
}

func (n *Network) chatterLoop(ch *chatter) {
	defer n.wg.Done()
	t := time.NewTicker(ch.every)
	defer t.Stop()
	for {
		select {
		case <-n.quit:
			return
		case <-t.C:
			line := ch.lines[ch.said%len(ch.lines)]
			ch.said++
			n.chatterSay(ch, ch.channel, line)
		case m := <-ch.inbox:
			target, text := m.Param(0), m.Param(1)
			addressed := !strings.HasPrefix(target, "#") || strings.Contains(strings.ToLower(text), strings.ToLower(ch.u.nick))
			if !addressed {
				continue
			}
			reply := ch.answer(text)
			if strings.HasPrefix(target, "#") {
				n.chatterSay(ch, target, m.Prefix.Name+": "+reply)
			} else {
				n.chatterSay(ch, m.Prefix.Name, reply)
			}
		}
	}
}

func (ch *chatter) answer(text string) string {
	t := strings.ToLower(text)
	switch {
	case strings.Contains(t, "ping"):
		return "pong"
	case strings.Contains(t, "time"):
		return "it is " + time.Now().UTC().Format("15:04:05") + " UTC here"
	case strings.Contains(t, "migrate") || strings.Contains(t, "server"):
		return "try /migrate s2 (or s1): you will not notice a thing"
	case strings.Contains(t, "hello") || strings.Contains(t, "hi ") || strings.HasSuffix(t, "hi"):
		return "hello! welcome to ferrynet"
	}
	a := chatterAnswers[ch.replies%len(chatterAnswers)]
	ch.replies++
	return a
}

func (n *Network) chatterSay(ch *chatter, target, text string) {
	n.lock()
	defer n.unlock()
	if n.closed || ch.u.gone {
		return
	}
	n.message(ch.u, &irc.Message{Prefix: ch.u.prefix(), Command: "PRIVMSG", Params: []string{target, text}})
}
