package nomad

import (
	"context"
	"testing"
	"time"
)

func TestCatchUpPause(t *testing.T) {
	for _, c := range []struct {
		took, since, want time.Duration
	}{
		{took: 2 * time.Second, since: 0, want: 2 * time.Second},                              // dropped right after a slow read
		{took: 2 * time.Second, since: 500 * time.Millisecond, want: 1500 * time.Millisecond}, // the stream held a while
		{took: 300 * time.Millisecond, since: 10 * time.Second, want: 0},                      // a drop long after: at once
		{took: time.Minute, since: 0, want: maxCatchUpPause},                                  // capped
	} {
		if got := catchUpPause(c.took, c.since); got != c.want {
			t.Errorf("catchUpPause(%s, %s) = %s, want %s", c.took, c.since, got, c.want)
		}
	}
}

func TestPauseEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if pause(ctx, time.Hour) {
		t.Error("pause outlived its context")
	}
}
