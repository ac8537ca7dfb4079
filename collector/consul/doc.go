// Package consul is the collector's Consul source: it follows Consul's
// catalog, check statuses and service intentions with blocking queries and
// keeps the model's Consul side (Consul-provider services with their health
// and Connect registrations, intentions and Consul's default verdict) in
// step with them. Consul API types are converted to model types here and go
// no further.
package consul
