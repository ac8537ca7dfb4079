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
