package viewmodel

import (
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
)

// WarningRow is a warning with its subjects resolved to links.
type WarningRow struct {
	model.Warning
	Links []Link `json:"links"`
}

// Warnings lists the snapshot's warnings whose code, message or subjects
// contain the filter's text; it is the /api/v1/warnings body.
func Warnings(snap *model.Snapshot, f Filter) []WarningRow {
	return warningRows(snap, matchingWarnings(snap, f))
}

// matchingWarnings is the one rule for which warnings a filter keeps: those
// whose code, message or subjects contain its text.
func matchingWarnings(snap *model.Snapshot, f Filter) []model.Warning {
	var ws []model.Warning
	for _, w := range lint.Warnings(snap) {
		if f.Text == "" || containsFold(f.Text, append([]string{w.Code, w.Message}, w.Subjects...)...) {
			ws = append(ws, w)
		}
	}
	return ws
}

// warningRows resolves the subjects of warnings.
func warningRows(snap *model.Snapshot, ws []model.Warning) []WarningRow {
	out := make([]WarningRow, 0, len(ws))
	for _, w := range ws {
		r := WarningRow{Warning: w}
		for _, s := range w.Subjects {
			r.Links = append(r.Links, KeyLink(snap, s))
		}
		out = append(out, r)
	}
	return out
}

// warningsAbout keeps the warnings with a subject that is key or lies under
// it (task/<alloc>/… is under alloc/<alloc>).
func warningsAbout(ws []model.Warning, keys ...string) []model.Warning {
	var out []model.Warning
	for _, w := range ws {
		if concerns(w, keys) {
			out = append(out, w)
		}
	}
	return out
}

func concerns(w model.Warning, keys []string) bool {
	for _, s := range w.Subjects {
		for _, k := range keys {
			if s == k || strings.HasPrefix(s, k+"/") {
				return true
			}
		}
	}
	return false
}
