package web

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// hostAllowlist is the set of Host headers the server answers to. It stops
// DNS rebinding: a page on attacker.example whose name is made to resolve
// to 127.0.0.1 reaches a dashboard on the loopback address from the
// victim's browser as a same-origin page, and could read /api/v1/* — but
// the browser sends Host: attacker.example, which is not on the list.
//
// Always allowed: IP literals (a rebinding page is always reached by a
// name, never by an address), localhost and *.localhost (browsers resolve
// those to loopback themselves), and the host of the listen address. More
// names come from Options.AllowedHosts; "*" turns the check off.
type hostAllowlist struct {
	any bool
	// names are host names allowed on any port; hostPorts are host:port
	// pairs allowed exactly. Both lower-case.
	names     map[string]bool
	hostPorts map[string]bool
}

// newHostAllowlist builds the list from the configured entries ("name",
// "name:port" or "*") and the listen address.
func newHostAllowlist(entries []string, listen string) *hostAllowlist {
	h := &hostAllowlist{names: map[string]bool{"localhost": true}, hostPorts: map[string]bool{}}
	if host, _, err := net.SplitHostPort(listen); err == nil && host != "" {
		h.names[strings.ToLower(host)] = true
	}
	for _, e := range entries {
		e = strings.ToLower(strings.TrimSpace(e))
		switch _, _, err := net.SplitHostPort(e); {
		case e == "":
		case e == "*":
			h.any = true
		case err == nil:
			h.hostPorts[e] = true
		default:
			h.names[strings.Trim(e, "[]")] = true
		}
	}
	return h
}

// allows reports whether a request's Host header is on the list.
func (h *hostAllowlist) allows(hostHeader string) bool {
	if h.any {
		return true
	}
	hp := strings.ToLower(strings.TrimSuffix(hostHeader, "."))
	if hp == "" {
		// HTTP/1.0 without Host: not from a browser, so not a rebinding page.
		return true
	}
	if h.hostPorts[hp] {
		return true
	}
	host := hp
	if hh, _, err := net.SplitHostPort(hp); err == nil {
		host = hh
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if net.ParseIP(host) != nil || h.names[host] || strings.HasSuffix(host, ".localhost") {
		return true
	}
	return false
}

// checkHost refuses requests whose Host header is not on the allowlist
// with 421 Misdirected Request, saying which name and how to allow it.
func (s *Server) checkHost(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		host := c.Request().Host
		if s.hosts.allows(host) {
			return next(c)
		}
		s.log.Warn("refused a request for a host not allowed (DNS rebinding?)", "host", host, "path", c.Path(), "remote", c.RealIP())
		msg := fmt.Sprintf("netviz does not answer to the host name %q: add it with --allowed-hosts (env NETVIZ_ALLOWED_HOSTS) if it is this server's", host)
		if c.Request().Method == http.MethodHead {
			return c.NoContent(http.StatusMisdirectedRequest)
		}
		return c.JSON(http.StatusMisdirectedRequest, errorBody{Error: msg})
	}
}
