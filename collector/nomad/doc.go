// Package nomad is the collector's Nomad source: it reads a snapshot of
// Nomad's nodes, allocations, job specs and Nomad-native services from the
// list APIs, then follows the event stream from the snapshot's index,
// resyncing whenever the stream breaks; Nomad-native check results, which
// Nomad does not publish as events, are polled. Responses are decoded into
// slim typed mirrors of the API and converted to model values here, at the
// border. The Nomad behaviour this relies on is described in
// docs/nomad-behaviour.md.
package nomad
