package practice

import "testing"

func TestStateMethods(t *testing.T) {
	tests := []struct {
		s             State
		live, running bool
	}{
		{Scheduled, false, false},
		{Open, true, true},
		{InProgress, true, true},
		{Stopped, true, false},
		{Closed, false, false},
		{Cancelled, false, false},
		{State("bogus"), false, false},
	}
	if len(tests)-1 != len(States()) {
		t.Fatalf("the table covers %d states, States() has %d", len(tests)-1, len(States()))
	}
	for _, tt := range tests {
		if got := tt.s.IsLive(); got != tt.live {
			t.Errorf("%s.IsLive() = %v, want %v", tt.s, got, tt.live)
		}
		if got := tt.s.IsRunning(); got != tt.running {
			t.Errorf("%s.IsRunning() = %v, want %v", tt.s, got, tt.running)
		}
	}
}
