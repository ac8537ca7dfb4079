package model

// Rank orders severities: error 3, warning 2, info 1, anything else
// (none) 0. It is the one order lints sort by and commands compare
// --severity with.
func (s Severity) Rank() int {
	switch s {
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// AtLeast reports whether s is as serious as min or more.
func (s Severity) AtLeast(min Severity) bool { return s.Rank() >= min.Rank() }
