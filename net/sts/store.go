package sts

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Store holds the STS policies ferry enforces: the user's pins and the
// policies learned from servers, the latter persisted to a file so they
// outlive the process (that is their whole point: the next start must not
// connect in plaintext). A Store is safe for use by several goroutines.
//
// One process owns the file: two ferry processes sharing it each write their
// own view, and the last write wins (a policy lost that way is learned again
// on the next TLS connection to that server).
type Store struct {
	path string
	now  func() time.Time

	saveMu sync.Mutex // serialises file writes; taken before mu

	mu      sync.Mutex
	pins    map[string]int
	learned map[string]entry
	upgrade map[string]int // plaintext upgrades seen this run, never persisted
	saveErr error
}

// entry is one learned persistence policy.
type entry struct {
	Port     int
	Duration time.Duration
	Expires  time.Time
}

// Open loads the store persisted at path (a missing file is an empty store;
// "" keeps the store in memory only) and merges pins, host -> TLS port, from
// the config. A file that cannot be read or parsed is an error naming it: the
// caller should stop rather than run without the policies it held. Stray
// temporary files left by a crash during a write are ignored. now nil =
// time.Now.
func Open(path string, pins map[string]int, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	s := &Store{
		path:    path,
		now:     now,
		pins:    map[string]int{},
		learned: map[string]entry{},
		upgrade: map[string]int{},
	}
	for h, p := range pins {
		if p < 1 || p > 65535 {
			return nil, fmt.Errorf("sts pin %s: port %d is out of range", h, p)
		}
		s.pins[canon(h)] = p
	}
	if path != "" {
		learned, err := load(path)
		if err != nil {
			return nil, err
		}
		s.learned = learned
	}
	return s, nil
}

// canon is the key a host is stored under: host names are case-insensitive,
// a trailing dot and IPv6 brackets are spelling.
func canon(host string) string {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

// Lookup reports the TLS port that must be used for host: its pin, else an
// unexpired learned policy, else an upgrade seen this run over plaintext (so
// reconnecting after an upgrade never returns to plaintext, even when the TLS
// attempt fails). Pass it as net/transport's DialConfig.STS.
func (s *Store) Lookup(host string) (port int, ok bool) {
	h := canon(host)
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pins[h]; ok {
		return p, true
	}
	if e, ok := s.learned[h]; ok && s.now().Before(e.Expires) {
		return e.Port, true
	}
	if p, ok := s.upgrade[h]; ok {
		return p, true
	}
	return 0, false
}

// Advertised applies an `sts` capability value the server at host advertised
// (in CAP LS or CAP NEW) on a connection to port, TLS or not.
//
// On plaintext, a policy with a port is an upgrade: it returns (P, true) and
// the caller must close this connection and reconnect with TLS on P (Lookup
// reports P from now on); a duration on plaintext is ignored. On TLS, the port
// key is ignored and the duration is persisted with this connection's port
// (duration=0 clears the host's learned policy); nothing to upgrade. A
// malformed value, or one lacking the key this kind of connection needs, is
// an error and changes nothing. The policy is in force in memory even when
// the error reports a failed write of the file.
func (s *Store) Advertised(host string, isTLS bool, port int, value string) (upgradePort int, upgrade bool, err error) {
	p, err := ParsePolicy(value)
	if err != nil {
		return 0, false, fmt.Errorf("sts policy %q from %s: %w", value, host, err)
	}
	h := canon(host)
	if !isTLS {
		if p.Port == 0 {
			return 0, false, fmt.Errorf("sts policy %q from %s on a plaintext connection has no port", value, host)
		}
		s.mu.Lock()
		s.upgrade[h] = p.Port
		s.mu.Unlock()
		return p.Port, true, nil
	}
	if !p.HasDuration {
		return 0, false, fmt.Errorf("sts policy %q from %s on a TLS connection has no duration", value, host)
	}
	if port < 1 || port > 65535 {
		return 0, false, fmt.Errorf("sts policy from %s: connection port %d is out of range", host, port)
	}
	s.mu.Lock()
	delete(s.upgrade, h) // superseded by what the TLS connection says
	if p.Duration == 0 {
		delete(s.learned, h)
	} else {
		s.learned[h] = entry{Port: port, Duration: p.Duration, Expires: s.now().Add(p.Duration)}
	}
	s.mu.Unlock()
	return 0, false, s.save()
}

// Disconnected reschedules the expiry of host's learned policy to now plus
// its duration, as the spec requires when a connection to the host ends (for
// whatever reason). Call it once per ended connection. An expired policy is
// dropped instead. A failed write of the file is kept for Err.
func (s *Store) Disconnected(host string) {
	h := canon(host)
	s.mu.Lock()
	e, ok := s.learned[h]
	if !ok {
		s.mu.Unlock()
		return
	}
	now := s.now()
	if now.Before(e.Expires) {
		e.Expires = now.Add(e.Duration)
		s.learned[h] = e
	} else {
		delete(s.learned, h)
	}
	s.mu.Unlock()
	_ = s.save()
}

// Err reports the error of the latest write of the file, nil when it
// succeeded (or nothing was written yet). Policies stay in force in memory
// either way; the next change tries to write again.
func (s *Store) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveErr
}

// Path is the file the store persists to ("" for memory only).
func (s *Store) Path() string { return s.path }

// Learned is one learned policy, for display (`/sts`, --check-config).
type Learned struct {
	Host     string
	Port     int
	Duration time.Duration
	Expires  time.Time
}

// Policies lists the unexpired learned policies (pins are in the config).
func (s *Store) Policies() []Learned {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var out []Learned
	for h, e := range s.learned {
		if now.Before(e.Expires) {
			out = append(out, Learned{Host: h, Port: e.Port, Duration: e.Duration, Expires: e.Expires})
		}
	}
	sortLearned(out)
	return out
}

// save writes the current unexpired policies to the file. The snapshot is
// taken after saveMu is held, so the last write always carries the latest
// state even when two saves race.
func (s *Store) save() error {
	if s.path == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	s.mu.Lock()
	now := s.now()
	snap := make(map[string]entry, len(s.learned))
	for h, e := range s.learned {
		if now.Before(e.Expires) {
			snap[h] = e
		}
	}
	s.mu.Unlock()
	err := store(s.path, snap)
	s.mu.Lock()
	s.saveErr = err
	s.mu.Unlock()
	return err
}
