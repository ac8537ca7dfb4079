package main

import (
	"flag"
	"fmt"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/web"
	"github.com/netviz/netviz/web/auth"
)

// Values of --auth.
const (
	authNone       = "none"
	authNomadToken = "nomad-token"
)

// loginFlags are the flags of viewer login.
type loginFlags struct {
	auth       string
	sessionTTL time.Duration
}

func (f *loginFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.auth, "auth", envOr("NETVIZ_AUTH", authNone),
		"viewer login: none (whoever reaches the dashboard sees the whole cluster), or nomad-token (viewers sign in with a Nomad token, "+
			"and a Consul token if they like, and see only what those may read) (env NETVIZ_AUTH)")
	fs.DurationVar(&f.sessionTTL, "session-ttl", envDuration("NETVIZ_SESSION_TTL", auth.DefaultTTL),
		"how long a sign-in lasts with --auth=nomad-token (env NETVIZ_SESSION_TTL)")
}

// authenticates reports whether viewers must sign in.
func (f *loginFlags) authenticates() bool { return f.auth == authNomadToken }

// apply checks the flags and sets the server's login options. The
// checker's configs are the clients' own defaults, as the collector's, so
// viewers' tokens go to the same Nomad and Consul; the server's token in
// them is never used for a viewer.
func (f *loginFlags) apply(opts *web.Options, withConsul bool) error {
	switch f.auth {
	case authNone, "":
		return nil
	case authNomadToken:
	default:
		return fmt.Errorf("--auth %q: want %s or %s", f.auth, authNone, authNomadToken)
	}
	if f.sessionTTL <= 0 {
		return fmt.Errorf("--session-ttl %s: want a positive duration", f.sessionTTL)
	}
	c := &auth.Checker{Nomad: nomadapi.DefaultConfig()}
	if withConsul {
		c.Consul = consulapi.DefaultConfig()
	}
	opts.Login, opts.SessionTTL = c, f.sessionTTL
	return nil
}
