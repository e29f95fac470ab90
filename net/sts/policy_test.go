package sts

import (
	"strings"
	"testing"
	"time"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		value   string
		want    Policy
		wantErr string
	}{
		{"port=6697", Policy{Port: 6697}, ""},
		{"duration=300", Policy{Duration: 300 * time.Second, HasDuration: true}, ""},
		{"port=6697,duration=2592000", Policy{Port: 6697, Duration: 2592000 * time.Second, HasDuration: true}, ""},
		{"duration=2592000,port=6697,preload", Policy{Port: 6697, Duration: 2592000 * time.Second, HasDuration: true, Preload: true}, ""},
		{"duration=0", Policy{HasDuration: true}, ""},
		{"port=6697,foo=bar,baz", Policy{Port: 6697}, ""}, // unknown keys ignored
		{"", Policy{}, ""},
		{"port=6697,", Policy{Port: 6697}, ""},
		{"duration=99999999999999999999", Policy{Duration: time.Duration(maxSeconds) * time.Second, HasDuration: true}, ""},
		{"port=0", Policy{}, "not a port"},
		{"port=65536", Policy{}, "not a port"},
		{"port=-1", Policy{}, "not a port"},
		{"port=+6697", Policy{}, "not a port"},
		{"port=66 97", Policy{}, "not a port"},
		{"port", Policy{}, "not a port"},
		{"port=", Policy{}, "not a port"},
		{"duration=-5", Policy{}, "not a number of seconds"},
		{"duration=1.5", Policy{}, "not a number of seconds"},
		{"duration=1d", Policy{}, "not a number of seconds"},
		{"duration", Policy{}, "not a number of seconds"},
		{"port=6697,port=6698", Policy{}, "given twice"},
		{"duration=1,duration=1", Policy{}, "given twice"},
	}
	for _, tt := range tests {
		got, err := ParsePolicy(tt.value)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParsePolicy(%q) error = %v, want %q", tt.value, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want %+v", tt.value, got, err, tt.want)
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{"port=6697,duration=300", "duration=0", "port=,", "preload,x=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		p, err := ParsePolicy(v)
		if err != nil {
			return
		}
		if p.Port < 0 || p.Port > 65535 || p.Duration < 0 || (!p.HasDuration && p.Duration != 0) {
			t.Fatalf("ParsePolicy(%q) = %+v", v, p)
		}
	})
}
