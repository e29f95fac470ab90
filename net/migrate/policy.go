package migrate

import (
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Policy is the per-network target policy of SPEC.md section 4: which
// targets a START may name before the client declines it.
type Policy string

const (
	// PolicyAny accepts every target that passes the other security rules
	// (no downgrade, STS). It is the default.
	PolicyAny Policy = "any"
	// PolicySameDomain accepts a target only when it shares the registrable
	// domain (eTLD+1) of the configured server; IP literals match only the
	// identical address.
	PolicySameDomain Policy = "same-domain"
	// PolicyNever declines every START.
	PolicyNever Policy = "never"
)

// ParsePolicy reads the config value of a network's `migrate` key. The empty
// string is the default, PolicyAny.
func ParsePolicy(s string) (Policy, error) {
	switch Policy(s) {
	case "", PolicyAny:
		return PolicyAny, nil
	case PolicySameDomain, PolicyNever:
		return Policy(s), nil
	}
	return "", fmt.Errorf("migrate policy %q: want %q, %q or %q", s, PolicyAny, PolicySameDomain, PolicyNever)
}

// sameDomain reports whether target shares the registrable domain of
// configured. Equal hosts (case-insensitively) always match; an IP literal
// on either side matches only the identical address; otherwise both must
// have an eTLD+1 under the public suffix list and those must be equal.
func sameDomain(target, configured string) bool {
	target = strings.ToLower(target)
	configured = strings.ToLower(strings.TrimSuffix(configured, "."))
	if target == "" || configured == "" {
		return false
	}
	ta, terr := netip.ParseAddr(target)
	ca, cerr := netip.ParseAddr(configured)
	if terr == nil || cerr == nil {
		return terr == nil && cerr == nil && ta.Unmap() == ca.Unmap()
	}
	if target == configured {
		return true
	}
	td, err := publicsuffix.EffectiveTLDPlusOne(target)
	if err != nil {
		return false
	}
	cd, err := publicsuffix.EffectiveTLDPlusOne(configured)
	if err != nil {
		return false
	}
	return td == cd
}
