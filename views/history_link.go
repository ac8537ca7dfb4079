package views

import (
	"net/url"
	"strings"

	"github.com/netviz/netviz/views/viewmodel"
)

// historyHref is the timeline of what a page shows: an allocation, a node
// or a service by name, a job (the overview or topology filtered to one);
// empty for other pages. view is the page's live address (Chrome.View).
func historyHref(view string) string {
	u, err := url.Parse(view)
	if err != nil || view == "" {
		return ""
	}
	q := url.Values{}
	for prefix, param := range map[string]string{"/allocations/": viewmodel.ParamAlloc, "/nodes/": viewmodel.ParamNode, "/services/": viewmodel.ParamService} {
		if id, ok := strings.CutPrefix(u.Path, prefix); ok && id != "" {
			q.Set(param, id)
		}
	}
	if job := u.Query().Get(viewmodel.ParamJob); job != "" && (u.Path == "/" || u.Path == "/topology") {
		q.Set(viewmodel.ParamJob, job)
		if ns := u.Query().Get(viewmodel.ParamNamespace); ns != "" {
			q.Set(viewmodel.ParamNamespace, ns)
		}
	}
	if len(q) == 0 {
		return ""
	}
	q.Set(viewmodel.ParamSince, "24h")
	return "/timeline?" + q.Encode()
}

// warningHistoryHref is what changed in the 15 minutes before a finding,
// about its first subject: the question a warning raises first.
func warningHistoryHref(subjects []string) string {
	q := url.Values{viewmodel.ParamSince: {"15m"}}
	if len(subjects) > 0 {
		kind, id, _ := strings.Cut(subjects[0], "/")
		switch kind {
		case "alloc":
			q.Set(viewmodel.ParamAlloc, id)
		case "task":
			alloc, _, _ := strings.Cut(id, "/")
			q.Set(viewmodel.ParamAlloc, alloc)
		case "node":
			q.Set(viewmodel.ParamNode, id)
		case "service":
			q.Set(viewmodel.ParamService, id)
		}
	}
	return "/timeline?" + q.Encode()
}
