package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
)

// ErrDenied means Nomad or Consul refused a token: unknown, expired or
// revoked (403, or 404 for a token it has never seen). A session whose
// token is denied ends at once.
var ErrDenied = errors.New("token refused")

// Rights is what a checked pair of tokens may read.
type Rights struct {
	Scope model.Scope
	// Name is the Nomad token's name (or "management"), for the page header
	// and the logs; never the secret.
	Name string
	// Accessor is the Nomad token's public accessor ID, for the logs.
	Accessor string
	// Expires is when the Nomad token itself expires; zero when it does not.
	Expires time.Time
}

// Checker asks Nomad (and Consul) what a viewer's tokens may read.
type Checker struct {
	// Nomad is the base client config (address, TLS, region): the one the
	// collector uses, from nomadapi.DefaultConfig(). Its SecretID (the
	// server's own token) is never used: each check sets the viewer's.
	Nomad *nomadapi.Config
	// Consul is the base Consul config, or nil when netviz reads no Consul
	// (a Consul token is then refused).
	Consul *consulapi.Config
}

// Check validates a Nomad token (and a Consul token, when given) and
// resolves what they may read. It returns ErrDenied (wrapped) when either
// token is refused, and other errors when Nomad or Consul cannot answer.
func (c *Checker) Check(ctx context.Context, nomadToken, consulToken string) (Rights, error) {
	if !tokenShaped(nomadToken) {
		// Nomad answers garbage with errors that are not refusals; it
		// need not be asked.
		return Rights{}, fmt.Errorf("%w: not a Nomad token", ErrDenied)
	}
	r, err := c.checkNomad(ctx, nomadToken)
	if err != nil {
		return Rights{}, err
	}
	if consulToken != "" && !r.Scope.All {
		names, err := c.checkConsul(ctx, consulToken)
		if err != nil {
			return Rights{}, err
		}
		r.Scope.Consul, r.Scope.Services = true, names
	}
	r.Scope = model.NormalizeScope(r.Scope)
	return r, nil
}

// checkNomad reads the token itself, then its policies (directly and
// through its roles) and parses their rules. A management token reads
// everything, Consul's data included: Nomad's management token is the
// operator's, and netviz's own Consul token decides what the model holds.
func (c *Checker) checkNomad(ctx context.Context, secret string) (Rights, error) {
	cfg := *c.Nomad // a copy: the base config keeps no viewer's token
	cfg.SecretID = secret
	client, err := nomadapi.NewClient(&cfg)
	if err != nil {
		return Rights{}, fmt.Errorf("nomad client: %w", err)
	}
	q := (&nomadapi.QueryOptions{AllowStale: false}).WithContext(ctx)
	tok, _, err := client.ACLTokens().Self(q)
	if err != nil {
		return Rights{}, nomadError("read token", err)
	}
	r := Rights{Name: tok.Name, Accessor: tok.AccessorID}
	if tok.ExpirationTime != nil {
		r.Expires = *tok.ExpirationTime
	}
	if tok.Type == "management" {
		r.Scope = model.Scope{All: true}
		if r.Name == "" {
			r.Name = "management"
		}
		return r, nil
	}
	policies := append([]string(nil), tok.Policies...)
	for _, link := range tok.Roles {
		role, _, err := client.ACLRoles().Get(link.ID, q)
		if err != nil {
			return Rights{}, nomadError("read role "+link.Name, err)
		}
		for _, p := range role.Policies {
			policies = append(policies, p.Name)
		}
	}
	g := newGrants()
	for _, name := range policies {
		p, _, err := client.ACLPolicies().Info(name, q)
		if err != nil {
			return Rights{}, nomadError("read policy "+name, err)
		}
		if err := g.add(p.Rules); err != nil {
			return Rights{}, fmt.Errorf("policy %s: %w", name, err)
		}
	}
	r.Scope = g.scope()
	return r, nil
}

// checkConsul validates a Consul token and lists the service names it may
// read. Consul filters its catalog by the caller's token, so the list is
// Consul's own verdict, not a re-implementation of its rules; a
// wildcard-destination intention the token may read adds "*".
func (c *Checker) checkConsul(ctx context.Context, secret string) ([]string, error) {
	if c.Consul == nil {
		return nil, errors.New("netviz reads no Consul here: leave the Consul token empty")
	}
	cfg := *c.Consul
	cfg.Token = secret
	client, err := consulapi.NewClient(&cfg)
	if err != nil {
		return nil, fmt.Errorf("consul client: %w", err)
	}
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	if _, _, err := client.ACL().TokenReadSelf(q); err != nil {
		return nil, consulError("read token", err)
	}
	svcs, _, err := client.Catalog().Services(q)
	if err != nil {
		return nil, consulError("list services", err)
	}
	names := make([]string, 0, len(svcs))
	for n := range svcs {
		names = append(names, n)
	}
	// Listing intentions needs more than reading services; a token that
	// may not gets no wildcard, which only hides more.
	if in, _, err := client.Connect().Intentions(q); err == nil {
		for _, i := range in {
			if i.DestinationName == "*" {
				names = append(names, "*")
				break
			}
		}
	}
	return names, nil
}

// tokenShaped reports whether s looks like a Nomad secret: a UUID, or a
// workload identity (a JWT: three dot-separated base64url parts).
func tokenShaped(s string) bool {
	if isUUID(s) {
		return true
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=") != "" {
			return false
		}
	}
	return true
}

// isUUID reports whether s is a UUID in its 36-character text form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", r):
			return false
		}
	}
	return true
}

// nomadError turns a refusal into ErrDenied; anything else (Nomad away, a
// 500, ACLs off) stays an error of its own.
func nomadError(what string, err error) error {
	var ue nomadapi.UnexpectedResponseError
	if errors.As(err, &ue) && ue.HasStatusCode() {
		switch ue.StatusCode() {
		case http.StatusForbidden, http.StatusNotFound, http.StatusUnauthorized:
			return fmt.Errorf("%w: nomad %s: %d", ErrDenied, what, ue.StatusCode())
		}
		return fmt.Errorf("nomad %s: %d %s", what, ue.StatusCode(), ue.Body())
	}
	return fmt.Errorf("nomad %s: %w", what, err)
}

// consulError is nomadError for Consul.
func consulError(what string, err error) error {
	var se consulapi.StatusError
	if errors.As(err, &se) {
		switch se.Code {
		case http.StatusForbidden, http.StatusNotFound, http.StatusUnauthorized:
			return fmt.Errorf("%w: consul %s: %d", ErrDenied, what, se.Code)
		}
		return fmt.Errorf("consul %s: %d %s", what, se.Code, se.Body)
	}
	return fmt.Errorf("consul %s: %w", what, err)
}
