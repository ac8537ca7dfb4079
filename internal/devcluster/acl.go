package devcluster

import (
	"context"
	"crypto/rand"
	"fmt"

	nomadapi "github.com/hashicorp/nomad/api"
)

// ACL mode (Options.ACL): Nomad with acl { enabled = true }, bootstrapped
// once its leader is up, and Consul with ACLs on and default deny, whose
// management token is set in its config (initial_management) so the agent
// and Nomad can use it from the first second. Tests then make their own
// policies and tokens with Cluster.Nomad() and Cluster.Consul(), which carry
// the management tokens.

// newSecret returns a random UUID-shaped secret, as Consul wants its
// tokens.
func newSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// consulACLHCL is Consul's acl block: default deny, the management token
// given, and the agent using it for its own registrations.
func consulACLHCL(token string) string {
	if token == "" {
		return ""
	}
	return fmt.Sprintf(`acl {
  enabled = true
  default_policy = "deny"
  enable_token_persistence = true
  tokens {
    initial_management = %s
    agent = %s
  }
}
`, hclString(token), hclString(token))
}

// nomadACLHCL turns Nomad's ACLs on.
func nomadACLHCL(on bool) string {
	if !on {
		return ""
	}
	return "acl {\n  enabled = true\n}\n"
}

// bootstrapNomadACL bootstraps Nomad's ACL system once it has a leader
// and points the cluster's client (and Env, CLI) at the management token.
func (c *Cluster) bootstrapNomadACL(ctx context.Context) error {
	return waitFor(ctx, "nomad ACL bootstrap", []*agent{c.consulA, c.nomadA}, func(ctx context.Context) error {
		tok, _, err := c.nomad.ACLTokens().Bootstrap((&nomadapi.WriteOptions{}).WithContext(ctx))
		if err != nil {
			return err
		}
		c.NomadToken = tok.SecretID
		c.nomad.SetSecretID(tok.SecretID)
		return nil
	})
}
