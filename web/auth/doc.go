// Package auth is netviz's viewer login against Nomad's (and Consul's)
// own ACLs: a viewer signs in with a Nomad token and, optionally, a Consul
// token; Checker asks Nomad (and Consul) what those tokens may read and
// turns it into a model.Scope; Sessions keeps the tokens server-side,
// bounded and expiring, and re-checks them so a revoked token loses access.
// The web server decides per request which session (and so which scope) a
// browser has, and Snapshot.Restrict does the narrowing: this package only
// answers "who is this and what may they read".
//
// The tokens never leave this process: they are not logged, not put in
// cookies (the cookie carries an opaque session ID, sealed), and errors
// from Nomad or Consul are reported by status, never by token.
package auth
