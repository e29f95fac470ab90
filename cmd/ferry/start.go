package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ferry-irc/ferry/cmd/internal/logfile"
	"github.com/ferry-irc/ferry/cmd/internal/version"
	"github.com/ferry-irc/ferry/config"
	"github.com/ferry-irc/ferry/net/chatlog"
	"github.com/ferry-irc/ferry/net/conn"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/migrate"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/sts"
	"github.com/ferry-irc/ferry/net/transport"
	"github.com/ferry-irc/ferry/ui"
)

// runConfigured runs the TUI on the networks of cfg.
func runConfigured(o options, cfg *config.Config, stderr io.Writer) int {
	c, err := openClient(o, cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ferry: %v\n", err)
		return 1
	}
	defer c.log.Close()
	opts := ui.Options{
		Theme:      cfg.UI.Theme,
		ConfigDir:  config.ConfigDir(),
		TimeFormat: cfg.UI.Timestamp,
		ShowJoins:  cfg.UI.ShowJoins,
		Scrollback: cfg.UI.Scrollback,
		Highlights: cfg.UI.Highlights,
		Bell:       cfg.UI.Bell,
		NoMouse:    !cfg.UI.Mouse,
		NotifyCmd:  cfg.UI.NotifyCmd,
		NoTyping:   !cfg.UI.Typing,
		Version:    uiVersion(),
		Ignores:    map[string][]string{},
		OrderFile:  filepath.Join(config.StateDir(), "buffers.json"),
	}
	opts.Notify, opts.NotifyTmux = ui.NotifyForm(cfg.UI.Notify, os.Getenv)
	if c.log != nil {
		opts.Log = c.log
	}
	for _, n := range cfg.Networks {
		opts.Ignores[n.Name] = n.Ignore
	}
	return runTUI(tuiRun{pool: c.pool, logs: c.logs, log: c.log, journal: journalPath()}, opts, stderr)
}

// client is what a configured run is made of besides the TUI: the debug
// log, the chat logs (nil when off) and the connection Pool (not started).
type client struct {
	log  *logfile.Logger
	logs *chatlog.Writer
	pool *conn.Pool
}

// openClient opens the logs and the STS store and builds the Pool for cfg.
// Problems with the debug log or the chat logs are reported on stderr and
// ferry carries on without them; a broken STS store or a failing
// password_cmd is an error, and nothing has connected.
func openClient(o options, cfg *config.Config, stderr io.Writer) (*client, error) {
	log, err := logfile.Open(config.DebugLogPath(), o.debug)
	if err != nil {
		fmt.Fprintf(stderr, "ferry: debug log: %v (continuing without it)\n", err)
	}
	log.Printf("%s starting with %s", version.String("ferry"), cfg.Path)
	for _, w := range cfg.Warnings {
		log.Warnf("config: %v", w)
	}

	store, err := sts.Open(config.STSPath(), cfg.STS.Pins, nil)
	if err != nil {
		// The store holds the policies that keep hosts on TLS; running
		// without them could downgrade a connection.
		log.Close()
		return nil, fmt.Errorf("STS policy store: %w\nfix or remove the file; nothing was started", err)
	}
	nets, err := networkConfigs(cfg)
	if err != nil {
		log.Close()
		return nil, err
	}
	var logs *chatlog.Writer
	if cfg.UI.Logs {
		logs, err = chatlog.Open(config.LogDir(), chatlog.Options{Log: log})
		if err != nil {
			fmt.Fprintf(stderr, "ferry: chat logs: %v (continuing without them)\n", err)
			logs = nil
		}
	}
	pool := conn.NewPool(conn.PoolOptions{Networks: nets, STS: store, Log: poolLogger(log, o.rawLog)})
	return &client{log: log, logs: logs, pool: pool}, nil
}

// tuiRun is what runTUI needs besides the UI options.
type tuiRun struct {
	pool *conn.Pool
	logs *chatlog.Writer // nil when chat logs are off
	log  *logfile.Logger // nil without a debug log
	// journal is the file of lines not delivered at exit; "" keeps none
	// (the demo).
	journal string
}

// runTUI starts the pool, runs the Bubble Tea program until the user quits
// (or SIGTERM/SIGHUP/SIGINT end it the same way), then closes the pool
// (QUIT on every connection, bounded in time) and journals the lines that
// were never delivered.
func runTUI(r tuiRun, opts ui.Options, stderr io.Writer) int {
	rl := newRelay(r.pool, r.logs)
	model := ui.New(rl, opts)
	if r.journal != "" {
		restoreJournal(model, r.journal, r.log, stderr)
	}
	r.pool.Start()
	// Focus reports tell notifications whether the user is looking (see
	// ui/notify.go); terminals without them send nothing.
	popts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithoutSignalHandler(), tea.WithReportFocus()}
	if !opts.NoMouse {
		popts = append(popts, tea.WithMouseCellMotion())
	}
	prog := tea.NewProgram(app{model}, popts...)
	sigs := watchSignals(prog, r.log)
	defer sigs.stop()
	_, err := prog.Run()

	// The UI reads no more events; what the connection still reports
	// (QUITs, queued lines written or failed) goes on to the chat logs.
	// The lines that never went out are the Pool's to say.
	rl.detach()
	r.pool.Close()
	<-rl.done
	if r.journal != "" {
		saveJournal(r.journal, journalLines(r.pool.Undelivered()), r.log, stderr)
	}
	if r.logs != nil {
		r.logs.Close()
	}
	if err != nil {
		if sigs.signalled() {
			// The terminal may be gone (SIGHUP): the debug log keeps it.
			r.log.Printf("ended by a signal: %v", err)
			return 0
		}
		fmt.Fprintf(stderr, "ferry: %v\n", err)
		return 1
	}
	return 0
}

// relay is the Pool as the UI sees it: every batch goes first to the chat
// logs, then to the UI, until detach (the program has ended): from then on
// batches are still read, so the chat logs see everything up to the Pool's
// close. The chat logs drop nothing; when their writer is behind, Write
// holds this goroutine for at most chatlog.DefaultMaxWait per batch, which
// delays the UI's batch by as much and never stops the network loop for
// longer (the Pool keeps reading while a batch waits for us).
type relay struct {
	*conn.Pool
	out      chan event.Batch
	detached chan struct{}
	once     sync.Once
	done     chan struct{} // closed when the Pool's events have ended
}

func newRelay(pool *conn.Pool, logs *chatlog.Writer) *relay {
	r := &relay{Pool: pool, out: make(chan event.Batch), detached: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		defer close(r.out)
		for b := range pool.Events() {
			if logs != nil {
				logs.Write(b)
			}
			select {
			case r.out <- b:
			case <-r.detached:
			}
		}
	}()
	return r
}

func (r *relay) Events() <-chan event.Batch { return r.out }

// detach stops handing batches to the UI.
func (r *relay) detach() { r.once.Do(func() { close(r.detached) }) }

// networkConfigs turns the config's networks into the Pool's, resolving
// password commands now: a failing password_cmd is an error before anything
// connects, and the secret never appears in it.
func networkConfigs(cfg *config.Config) ([]conn.NetworkConfig, error) {
	var out []conn.NetworkConfig
	for i := range cfg.Networks {
		n := &cfg.Networks[i]
		ctx, cancel := context.WithTimeout(context.Background(), 2*config.DefaultPasswordTimeout)
		pass, err := n.ResolvePassword(ctx)
		var sasl *session.SASL
		if err == nil && n.SASL != nil {
			var sp string
			sp, err = n.SASL.ResolvePassword(ctx)
			sasl = &session.SASL{Mechanism: n.SASL.Mechanism, Username: n.SASL.Username, Password: sp, Required: n.SASL.Required}
		}
		cancel()
		if err != nil {
			return nil, err
		}
		policy, err := migrate.ParsePolicy(n.Migrate)
		if err != nil {
			return nil, fmt.Errorf("network %s: %v", n.Name, err)
		}
		var autojoin []session.Channel
		for _, c := range n.Autojoin {
			autojoin = append(autojoin, session.Channel{Name: c.Name, Key: c.Key})
		}
		var without []string
		if !n.ReadMarkers {
			without = append(without, "draft/read-marker")
		}
		if !n.Multiline {
			without = append(without, "draft/multiline")
		}
		clientKey := n.ClientKey
		if clientKey == "" {
			// config: a client_cert without client_key holds both.
			clientKey = n.ClientCert
		}
		out = append(out, conn.NetworkConfig{
			Name: n.Name,
			Dial: transport.DialConfig{
				Host: n.Host, Port: n.Port, TLS: n.TLS,
				InsecureSkipVerify: !n.TLSVerify,
				CAFile:             n.CAFile,
				ClientCert:         n.ClientCert,
				ClientKey:          clientKey,
			},
			Session: session.Config{
				Nick: n.Nick, AltNicks: n.AltNicks, User: n.User, Realname: n.Realname,
				Password: pass, SASL: sasl, Autojoin: autojoin,
				WithoutCaps:       without,
				Version:           version.String("ferry"),
				NoBouncerNetworks: n.NoBouncerNetworks,
				Monitor:           n.Monitor,
			},
			Policy: policy,
			Flood:  conn.Flood{Burst: n.Flood.Burst, Interval: n.Flood.Interval},
		})
	}
	return out, nil
}

// poolLogger gives the Pool the debug log. Without --raw-log the lines of
// IRC traffic ("-> ..."/"<- ...") are left out; with it they are written,
// masked twice: by net/conn, and again by logfile.Mask on every line.
func poolLogger(l *logfile.Logger, raw bool) conn.Logger {
	if l == nil {
		return nil
	}
	return trafficFilter{l: l, raw: raw}
}

type trafficFilter struct {
	l   *logfile.Logger
	raw bool
}

func (f trafficFilter) Printf(format string, v ...any) {
	if !f.raw && isTraffic(format) {
		return
	}
	f.l.Printf(format, v...)
}

// isTraffic recognises net/conn's traffic lines by their format ("%s -> %s"
// for a line written, "%s <- %s" for one read) without formatting them.
func isTraffic(format string) bool {
	return strings.HasSuffix(format, "%s -> %s") || strings.HasSuffix(format, "%s <- %s")
}

// demoNick is the user's login name when it makes a valid nick, else "guest".
func demoNick() string {
	n := os.Getenv("USER")
	if n == "" || n == "root" || len(n) > 16 {
		return "guest"
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return "guest"
		}
	}
	if n[0] >= '0' && n[0] <= '9' || n[0] == '-' {
		return "guest"
	}
	return n
}

// uiVersion is the version without the program name, as /help and the quit
// message show it after "ferry".
func uiVersion() string {
	return strings.TrimPrefix(version.String("ferry"), "ferry ")
}
