package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/config"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// Buffer numbers. A buffer's number is its place in the sidebar (Alt+N,
// /buffer N). They stay put: a new buffer goes last in its network, and
// only /buffer move renumbers. Each network keeps a list of its buffers'
// names folded by its case mapping (network.order); its channels and
// queries are shown in that list's order. The list outlives a buffer being
// away (a channel not yet rejoined after a start, a query not yet reopened),
// so that when it comes back it takes its old place, and it is kept across
// restarts in Options.OrderFile.

// orderFileVersion is the state file's format.
const orderFileVersion = 1

// orderFile is the state file: per network name, folded buffer names in
// sidebar order.
type orderFile struct {
	Version  int                 `json:"version"`
	Networks map[string][]string `json:"networks"`
}

// loadOrder reads the state file at path. A missing file is no error.
func loadOrder(path string) (map[string][]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read buffer order: %w", err)
	}
	var f orderFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("buffer order %s is damaged (%v); starting afresh", path, err)
	}
	return f.Networks, nil
}

// orderWrites serialises the writes of the state file (each runs in its own
// tea.Cmd goroutine): a write older than the last one done is skipped, so
// the file never goes back to a stale order.
var orderWrites struct {
	sync.Mutex
	done map[string]uint64 // path -> sequence of the last write
}

// orderSavedMsg reports a write of the state file.
type orderSavedMsg struct{ err error }

// saveOrder returns a command writing the current order to the state file,
// or nil when there is none or nothing changed. Update calls it last.
func (m *model) saveOrder() tea.Cmd {
	if !m.orderDirty || m.opts.OrderFile == "" {
		return nil
	}
	m.orderDirty = false
	nets := make(map[string][]string, len(m.savedOrder)+len(m.nets))
	for name, keys := range m.savedOrder {
		nets[name] = keys // networks no longer configured keep theirs
	}
	for _, n := range m.nets {
		if len(n.order) > 0 {
			nets[n.name] = slices.Clone(n.order)
		} else {
			delete(nets, n.name)
		}
	}
	data, err := json.MarshalIndent(orderFile{Version: orderFileVersion, Networks: nets}, "", "  ")
	if err != nil {
		return func() tea.Msg { return orderSavedMsg{err} }
	}
	m.orderSeq++
	path, seq := m.opts.OrderFile, m.orderSeq
	return func() tea.Msg {
		orderWrites.Lock()
		defer orderWrites.Unlock()
		if orderWrites.done == nil {
			orderWrites.done = make(map[string]uint64)
		}
		if orderWrites.done[path] > seq {
			return orderSavedMsg{}
		}
		orderWrites.done[path] = seq
		if err := config.WriteFileAtomic(path, append(data, '\n'), nil); err != nil {
			return orderSavedMsg{fmt.Errorf("save buffer order: %w", err)}
		}
		return orderSavedMsg{}
	}
}

// orderSaved shows the first failure to write the state file (once: the
// order still works for this session).
func (m *model) orderSaved(msg orderSavedMsg) {
	if msg.err == nil || m.orderErrShown || len(m.nets) == 0 {
		return
	}
	m.orderErrShown = true
	m.line(m.nets[0].server0, m.now(), scrollback.Error, "", msg.err.Error())
}

// rank is b's place in its network's order; every channel and query has
// one (place gives it).
func (n *network) rank(b *buffer) int { return slices.Index(n.order, n.fold(b.name)) }

// place puts a new channel or query buffer where the order says, adding it
// at the end of the order when it has no place yet.
func (m *model) place(n *network, b *buffer) {
	if n.rank(b) < 0 {
		n.order = append(n.order, n.fold(b.name))
		m.orderDirty = true
	}
	n.bufs = append(n.bufs, b)
	n.sortBufs()
}

// sortBufs orders a network's channels and queries by their place in
// n.order.
func (n *network) sortBufs() {
	slices.SortStableFunc(n.bufs, func(a, b *buffer) int { return n.rank(a) - n.rank(b) })
}

// forget drops a closed buffer's place: reopened, it goes last.
func (m *model) forget(n *network, key string) {
	if i := slices.Index(n.order, key); i >= 0 {
		n.order = slices.Delete(n.order, i, i+1)
		m.orderDirty = true
	}
}

// rekey replaces key old by new in n's order, keeping its place (a query
// following a nick change, a new case mapping); an entry already called
// new keeps its own place and old's goes.
func (m *model) rekey(n *network, old, new string) {
	if old == new {
		return
	}
	i := slices.Index(n.order, old)
	if i < 0 {
		return
	}
	if slices.Contains(n.order, new) {
		n.order = slices.Delete(n.order, i, i+1)
	} else {
		n.order[i] = new
	}
	m.orderDirty = true
}

// move gives channel or query b the sidebar number num, moving the other
// buffers of its network between the two places by one. num must be a
// number of b's network's channels and queries.
func (m *model) move(b *buffer, num int) error {
	n := b.net
	if b.kind == serverBuf {
		return errors.New("the server buffer stays first in its network; move a channel or query")
	}
	order := m.ordered()
	first := slices.Index(order, n.server0) + 2 // number of the network's first channel or query
	last := first + len(n.bufs) - 1
	if num < first || num > last {
		return fmt.Errorf("%s's channels and queries have numbers %d to %d", n.name, first, last)
	}
	bufs := slices.Clone(n.bufs)
	i := slices.Index(bufs, b)
	bufs = slices.Delete(bufs, i, i+1)
	bufs = slices.Insert(bufs, num-first, b)
	// The present buffers take the places in n.order that present buffers
	// had, in their new order; places of absent ones stay where they were.
	slots := make([]int, 0, len(bufs))
	for _, x := range n.bufs {
		slots = append(slots, n.rank(x))
	}
	slices.Sort(slots)
	for k, x := range bufs {
		n.order[slots[k]] = n.fold(x.name)
	}
	n.sortBufs()
	m.order = nil
	m.orderDirty = true
	return nil
}

// bufferCmd carries out /buffer arg (/window): go to the buffer numbered
// or named arg, or with move give the current buffer number arg.
func (m *model) bufferCmd(arg string, move bool) error {
	num, err := strconv.Atoi(arg)
	if move {
		if err != nil {
			return fmt.Errorf("/buffer move: %q is not a number", arg)
		}
		return m.move(m.cur, num)
	}
	if err == nil {
		order := m.ordered()
		if num < 1 || num > len(order) {
			return fmt.Errorf("no buffer %d: the buffers have numbers 1 to %d", num, len(order))
		}
		m.switchTo(order[num-1])
		return nil
	}
	b, err := m.bufferNamed(arg)
	if err != nil {
		return err
	}
	m.switchTo(b)
	return nil
}

// bufferNamed finds the buffer called name, or the one whose name begins
// with it (also without its channel type: "fe" finds #ferry); the current
// network is looked at first, then the others in sidebar order, and a
// beginning shared by several buffers of one network is an error. Names are compared folded by each network's
// case mapping.
func (m *model) bufferNamed(name string) (*buffer, error) {
	nets := []*network{m.cur.net}
	for _, n := range m.nets {
		if n != m.cur.net {
			nets = append(nets, n)
		}
	}
	for _, exact := range []bool{true, false} {
		for _, n := range nets {
			want := n.fold(name)
			var found []*buffer
			for _, b := range append([]*buffer{n.server0}, n.bufs...) {
				t := n.fold(b.title())
				bare := t
				if b.kind == channelBuf && len(t) > 1 {
					bare = t[1:]
				}
				switch {
				case exact && (t == want || bare == want):
					return b, nil
				case !exact && (strings.HasPrefix(t, want) || strings.HasPrefix(bare, want)):
					found = append(found, b)
				}
			}
			switch {
			case len(found) == 1:
				return found[0], nil
			case len(found) > 1:
				var names []string
				for _, b := range found {
					names = append(names, b.title())
				}
				return nil, fmt.Errorf("%s could be %s: type more of the name", name, strings.Join(names, ", "))
			}
		}
	}
	return nil, fmt.Errorf("no buffer called %s; /buffer takes a number or a name", name)
}
