package model

import (
	"encoding/json"
	"fmt"
)

// snapshotJSON is the documented JSON form of a snapshot (docs/model.md).
// Field order is the order of the keys in the output.
type snapshotJSON struct {
	Version      uint64        `json:"version"`
	Status       Status        `json:"status"`
	DefaultAllow bool          `json:"default_allow"`
	Nodes        []*Node       `json:"nodes"`
	Allocations  []*Allocation `json:"allocations"`
	Services     []*Service    `json:"services"`
	Intentions   []Intention   `json:"intentions"`
	Edges        []Edge        `json:"edges"`
	Warnings     []Warning     `json:"warnings"`
}

// MarshalJSON writes the snapshot with top-level keys version, status,
// default_allow, nodes, allocations, services, intentions, edges and
// warnings, each list sorted as its accessor sorts it and never null.
func (s *Snapshot) MarshalJSON() ([]byte, error) {
	s.sortAllocs()
	s.sortServices()
	s.Nodes()
	b, err := json.Marshal(snapshotJSON{
		Version:      s.version,
		Status:       s.status,
		DefaultAllow: s.defaultAllow,
		Nodes:        NonNil(s.nodesSorted),
		Allocations:  NonNil(s.allocsSorted),
		Services:     NonNil(s.svcSorted),
		Intentions:   NonNil(s.intentions),
		Edges:        s.edgeSet().all,
		Warnings:     s.Warnings(),
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot %d to json: %w", s.version, err)
	}
	return b, nil
}
