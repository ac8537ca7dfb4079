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
