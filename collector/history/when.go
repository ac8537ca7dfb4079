package history

import (
	"fmt"
	"strings"
	"time"
)

// ParseTime reads a moment as the pages' ?at= and the CLI's --since take
// it: RFC 3339 ("2026-11-29T10:15:00Z"), or a duration before now ("-15m",
// "15m" and "1h30m" all mean that long ago), or "now".
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "":
		return time.Time{}, fmt.Errorf("empty time")
	case "now":
		return now, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(strings.TrimPrefix(s, "-"))
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("time %q: want RFC 3339 (2026-11-29T10:15:00Z) or a duration ago (-15m)", s)
	}
	return now.Add(-d), nil
}

// WindowError is ParseWindow's error: Bound says which time ("since" or
// "until") could not be read; the message is ParseTime's own.
type WindowError struct {
	Bound string
	Err   error
}

func (e *WindowError) Error() string { return e.Err.Error() }

func (e *WindowError) Unwrap() error { return e.Err }

// ParseWindow reads a timeline's bounds as /timeline's ?since=&until= and
// `netviz history --since --until` take them, each as ParseTime reads it;
// an empty until leaves the window open towards now.
func ParseWindow(since, until string, now time.Time) (from, to time.Time, err error) {
	if from, err = ParseTime(since, now); err != nil {
		return time.Time{}, time.Time{}, &WindowError{Bound: "since", Err: err}
	}
	if until != "" {
		if to, err = ParseTime(until, now); err != nil {
			return from, time.Time{}, &WindowError{Bound: "until", Err: err}
		}
	}
	return from, to, nil
}

// ParseKinds reads a comma-separated list of entry kinds (?kind=, --kind);
// blanks are skipped, and an unknown kind simply matches nothing.
func ParseKinds(s string) []Kind {
	var out []Kind
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, Kind(k))
		}
	}
	return out
}
