package consul

import (
	"context"
	"fmt"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/model"
)

// Names for asking Consul its default intention verdict: no intention names
// them, so only Consul's default (or a "*" → "*" intention, which then
// decides every otherwise unmatched pair anyway) answers.
const (
	probeSource      = "netviz-default-probe-source"
	probeDestination = "netviz-default-probe-destination"
)

// intentionsKind is the config entry kind that holds service intentions.
const intentionsKind = "service-intentions"

// flattenIntentions turns service-intentions config entries (one per
// destination, listing its sources) into one model intention per pair.
func flattenIntentions(entries []consulapi.ConfigEntry) []model.Intention {
	var out []model.Intention
	for _, e := range entries {
		entry, ok := e.(*consulapi.ServiceIntentionsConfigEntry)
		if !ok || entry == nil {
			continue
		}
		for _, src := range entry.Sources {
			if src == nil {
				continue
			}
			out = append(out, convertSourceIntention(entry, src))
		}
	}
	if out == nil {
		out = []model.Intention{}
	}
	return out
}

// convertSourceIntention converts one source of a destination's entry.
func convertSourceIntention(entry *consulapi.ServiceIntentionsConfigEntry, src *consulapi.SourceIntention) model.Intention {
	in := model.Intention{
		Source:      src.Name,
		Destination: entry.Name,
		Action:      string(src.Action),
		Precedence:  src.Precedence,
		Description: src.Description,
	}
	if len(src.Permissions) > 0 {
		// L7 intentions allow the connection and then judge each request;
		// for "can A reach B" at the network level that is an allow.
		in.Action = model.ActionAllow
		note := fmt.Sprintf("L7: %d permission rule(s) decide per request", len(src.Permissions))
		if in.Description == "" {
			in.Description = note
		} else {
			in.Description += " (" + note + ")"
		}
	}
	if in.Precedence == 0 {
		// Consul reports the precedence it computed; older agents or
		// hand-made entries may not, so fall back to its table.
		in.Precedence = model.IntentionPrecedence(src.Namespace, src.Name, entry.Namespace, entry.Name)
	}
	return in
}

// defaultAllow asks Consul what it does with a connection no intention
// matches: allow with ACLs off or default-allow ACLs, deny with default-deny.
// Asking beats reading ACL settings, which need more privileges.
func (s *Source) defaultAllow(ctx context.Context) (bool, error) {
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	allowed, _, err := s.client.Connect().IntentionCheck(&consulapi.IntentionCheck{
		Source: probeSource, Destination: probeDestination,
	}, q)
	if err != nil {
		return false, fmt.Errorf("consul intention check: %w", err)
	}
	return allowed, nil
}
