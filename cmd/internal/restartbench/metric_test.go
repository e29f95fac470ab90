package main

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// at is a time t0+ms milliseconds; at(-1) is the zero time (never).
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(ms int) time.Time {
	if ms < 0 {
		return time.Time{}
	}
	return t0.Add(time.Duration(ms) * time.Millisecond)
}

func msd(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }

// tl builds lines from (typed, arrived) pairs in milliseconds; arrived -1
// is a lost line.
func tl(pairs ...[2]int) []typedLine {
	var ls []typedLine
	for _, p := range pairs {
		ls = append(ls, typedLine{typed: at(p[0]), arrived: at(p[1])})
	}
	return ls
}

func TestWaits(t *testing.T) {
	for _, tc := range []struct {
		name       string
		lines      []typedLine
		limit      int
		want       []int
		wantCapped []bool
	}{
		{"each heard in turn", tl([2]int{0, 5}, [2]int{10, 14}, [2]int{20, 27}), 1000,
			[]int{5, 4, 7}, []bool{false, false, false}},
		{"a lost line waits for the next one heard", tl([2]int{0, -1}, [2]int{10, -1}, [2]int{20, 90}), 1000,
			[]int{90, 80, 70}, []bool{false, false, false}},
		{"a later line overtaking an earlier one ends the earlier wait", tl([2]int{0, 100}, [2]int{10, 30}, [2]int{20, 40}), 1000,
			[]int{30, 20, 20}, []bool{false, false, false}},
		{"nothing heard after: capped at the limit", tl([2]int{0, 5}, [2]int{10, -1}, [2]int{20, -1}), 500,
			[]int{5, 490, 480}, []bool{false, true, true}},
		{"an arrival past the limit does not count", tl([2]int{0, 5}, [2]int{10, 800}), 500,
			[]int{5, 490}, []bool{false, true}},
		{"no lines", nil, 100, []int{}, []bool{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, c := waits(tc.lines, at(tc.limit))
			got := make([]int, len(w))
			for i, d := range w {
				got[i] = int(d / time.Millisecond)
			}
			if !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(c, tc.wantCapped) {
				t.Errorf("waits = %v capped %v, want %v capped %v", got, c, tc.want, tc.wantCapped)
			}
		})
	}
}

func TestMeasure(t *testing.T) {
	// Three probes waiting 4, 6 and 5 ms: base 5, spread 1.
	probes := [][2]int{{0, 4}, {10, 16}, {20, 25}}
	for _, tc := range []struct {
		name  string
		after [][2]int // lines typed from the restart (at 100) on
		limit int
		end   int // lines measured: lines[3:end]; 0 for all
		want  interruption
	}{
		{
			name:  "undisturbed: no interruption beyond the noise",
			after: [][2]int{{100, 105}, {110, 116}, {120, 125}},
			limit: 10000,
			want:  interruption{base: msd(5), spread: msd(1), maxWait: msd(6), worst: 4, extra: msd(1), firstLine: msd(5)},
		},
		{
			// Lines held in a migration window go out together at 160:
			// the first of them waited longest.
			name:  "held lines",
			after: [][2]int{{100, 160}, {110, 160}, {120, 160}, {170, 175}},
			limit: 10000,
			want:  interruption{base: msd(5), spread: msd(1), maxWait: msd(60), worst: 3, extra: msd(55), firstLine: msd(60)},
		},
		{
			// The first line after the restart went out on the old
			// connection and was heard; two were lost with it, and the
			// user was heard again only at 400.
			name:  "lost lines counted until the next arrival",
			after: [][2]int{{100, 104}, {110, -1}, {120, -1}, {130, 400}},
			limit: 10000,
			want:  interruption{base: msd(5), spread: msd(1), maxWait: msd(290), worst: 4, extra: msd(285), firstLine: msd(4)},
		},
		{
			// Line 6 (the witness, typed at 130) is the last measured;
			// line 7, typed after it, waited in a flood queue until
			// 5000, which is not the restart's doing. Line 7 arriving
			// first still ends the wait of the witness.
			name:  "lines after the witness are not measured",
			after: [][2]int{{100, -1}, {110, -1}, {120, -1}, {130, 400}, {140, 300}, {150, 5000}},
			limit: 10000,
			end:   7,
			want:  interruption{base: msd(5), spread: msd(1), maxWait: msd(200), worst: 3, extra: msd(195), firstLine: msd(200)},
		},
		{
			name:  "never heard again: capped",
			after: [][2]int{{100, -1}, {200, -1}},
			limit: 1100,
			want:  interruption{base: msd(5), spread: msd(1), maxWait: msd(1000), worst: 3, extra: msd(995), firstLine: msd(1000), capped: true},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := tl(append(append([][2]int(nil), probes...), tc.after...)...)
			end := len(lines)
			if tc.end > 0 {
				end = tc.end
			}
			got := measure(lines, len(probes), end, at(100), at(tc.limit))
			if got != tc.want {
				t.Errorf("measure = %+v\n want %+v", got, tc.want)
			}
		})
	}
}

// TestMeasureBaseMedian: an even number of probes takes the lower middle
// wait, and a single slow probe shows in the spread, not the base.
func TestMeasureBaseMedian(t *testing.T) {
	lines := tl([2]int{0, 3}, [2]int{10, 14}, [2]int{20, 42}, [2]int{30, 45}, [2]int{100, 110})
	got := measure(lines, 4, len(lines), at(100), at(1000))
	if got.base != msd(4) || got.spread != msd(18) || got.extra != msd(6) {
		t.Errorf("base %v spread %v interruption %v, want 4ms 18ms 6ms", got.base, got.spread, got.extra)
	}
}

func TestHeardAfter(t *testing.T) {
	lines := tl([2]int{0, 5}, [2]int{10, -1}, [2]int{20, -1}, [2]int{30, 200}, [2]int{40, 150})
	for _, tc := range []struct {
		since, want int
	}{
		{-1, 0}, // before everything: the first line heard
		{0, 3},  // typed at 0 is not after 0; 10 and 20 were lost
		{25, 3}, // the first heard in typing order, not the first to arrive
		{35, 4},
		{40, -1}, // nothing typed after 40
	} {
		since := t0.Add(time.Duration(tc.since) * time.Millisecond)
		if got := heardAfter(lines, since); got != tc.want {
			t.Errorf("heardAfter(%d ms) = %d, want %d", tc.since, got, tc.want)
		}
	}
}

func TestParseRelays(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []relaySpec
		wantErr bool
	}{
		{"", nil, false},
		{"127.0.0.2:6667=127.0.0.1:6667", []relaySpec{{"127.0.0.2:6667", "127.0.0.1:6667"}}, false},
		{"127.0.0.2:1=127.0.0.1:1, 127.0.0.2:2=127.0.0.1:3", []relaySpec{{"127.0.0.2:1", "127.0.0.1:1"}, {"127.0.0.2:2", "127.0.0.1:3"}}, false},
		{"[::1]:7000=127.0.0.1:7000", []relaySpec{{"[::1]:7000", "127.0.0.1:7000"}}, false},
		{"127.0.0.2:6667", nil, true},              // no target
		{"127.0.0.2:6667=127.0.0.1", nil, true},    // target without port
		{"127.0.0.2:x=127.0.0.1:1", nil, true},     // port not a number
		{"127.0.0.2:0=127.0.0.1:1", nil, true},     // port 0 is no fixed place
		{":6667=127.0.0.1:6667", nil, true},        // no host
		{"127.0.0.2:1=127.0.0.1:1,,", nil, true},   // an empty item
		{"127.0.0.2:70000=127.0.0.1:1", nil, true}, // port out of range
	} {
		got, err := parseRelays(tc.in)
		if (err != nil) != tc.wantErr || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseRelays(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

// TestMakeCert: the node certificate is valid for both loopback hosts
// under the CA alone.
func TestMakeCert(t *testing.T) {
	dir := t.TempDir()
	if err := makeCert(dir); err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("ca.pem holds no certificate")
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"127.0.0.1", "127.0.0.2"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: pool}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "127.0.0.3", Roots: pool}); err == nil {
		t.Error("the certificate is valid for 127.0.0.3 too")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: x509.NewCertPool()}); err == nil {
		t.Error("the certificate verifies without its CA")
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []int
		want int
	}{
		{"none", nil, 0},
		{"one", []int{7}, 7},
		{"odd count, unsorted", []int{21, 20, 25, 19, 22}, 21},
		{"even count: the lower middle", []int{4, 1, 3, 2}, 2},
		{"one slow sample does not move it", []int{20, 21, 20, 90, 21, 22, 20}, 21},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := make([]time.Duration, len(tc.in))
			for i, v := range tc.in {
				ds[i] = msd(v)
			}
			before := slices.Clone(ds)
			if got := median(ds); got != msd(tc.want) {
				t.Errorf("median(%v) = %v, want %v", tc.in, got, msd(tc.want))
			}
			if !slices.Equal(ds, before) {
				t.Errorf("median reordered its input: %v", ds)
			}
		})
	}
}

// TestReadReply: which server lines end a PING's wait, and how.
func TestReadReply(t *testing.T) {
	for _, tc := range []struct {
		line, token string
		want        reply
	}{
		{":s1 PONG s1 :rb-3\r\n", "rb-3", reply{pong: true}},                         // ferryd
		{":ngircd.restart PONG ngircd.restart :rb-3\r\n", "rb-3", reply{pong: true}}, // ngircd
		{"PONG rb-3\n", "rb-3", reply{pong: true}},                                   // a bare answer
		{":s1 PONG s1 :rb-2\r\n", "rb-3", reply{}},                                   // an earlier PING's
		{":s1 PONG s1 :rb-33\r\n", "rb-3", reply{}},                                  // no prefix match
		{":s1 PONG rb-3 :s1\r\n", "rb-3", reply{}},                                   // the token must be last
		{":s1 PONG\r\n", "", reply{}},                                                // no token at all
		{"PING :LAG123\r\n", "rb-1", reply{serverPing: "LAG123"}},                    // the server's own
		{":ngircd.restart 451 * PING :Connection not registered\r\n", "rb-1", reply{notRegistered: true}},
		{":s1 433 * rttprobe :Nickname is already in use\r\n", "", reply{nick433: true}},
		{":s1 001 rttprobe :Welcome\r\n", "", reply{welcome: true}},
		{"ERROR :Closing link (127.0.0.1) [shutting down]\r\n", "rb-1", reply{closing: "Closing link (127.0.0.1) [shutting down]"}},
		{"ERROR\r\n", "rb-1", reply{closing: "ERROR"}},
		{":s1 NOTICE * :*** Looking up your hostname\r\n", "rb-1", reply{}},
		{"\r\n", "rb-1", reply{}},
		{":\r\n", "rb-1", reply{}}, // unparsable
	} {
		if got := readReply(tc.line, tc.token); got != tc.want {
			t.Errorf("readReply(%q, %q) = %+v, want %+v", tc.line, tc.token, got, tc.want)
		}
	}
}
