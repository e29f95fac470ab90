package version

import (
	"strings"
	"testing"
)

func TestStringStamped(t *testing.T) {
	oldV, oldC, oldD := Version, Commit, Date
	t.Cleanup(func() { Version, Commit, Date = oldV, oldC, oldD })

	Version, Commit, Date = "1.2.3", "0123456789abcdef0123", "2026-11-25T00:00:00Z"
	got := String("ferry")
	want := "ferry 1.2.3 (0123456789ab, 2026-11-25T00:00:00Z)"
	if got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
}

func TestStringDev(t *testing.T) {
	oldV, oldC, oldD := Version, Commit, Date
	t.Cleanup(func() { Version, Commit, Date = oldV, oldC, oldD })

	Version, Commit, Date = "dev", "", ""
	got := String("ferryd")
	if !strings.HasPrefix(got, "ferryd dev") {
		t.Fatalf("String = %q, want it to start with %q", got, "ferryd dev")
	}
}
