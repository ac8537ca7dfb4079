package viewmodel

import (
	"encoding/json"
	"fmt"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
)

// Graph is the whole model in its documented JSON form (docs/model.md):
// what /api/v1/graph serves and `netviz dump` writes. Field order is the
// order of the keys in the output; every list is sorted as its model
// accessor sorts it and is never null.
type Graph struct {
	Version      uint64              `json:"version"`
	Status       model.Status        `json:"status"`
	DefaultAllow bool                `json:"default_allow"`
	Nodes        []*model.Node       `json:"nodes"`
	Allocations  []*model.Allocation `json:"allocations"`
	Services     []*model.Service    `json:"services"`
	Intentions   []model.Intention   `json:"intentions"`
	Edges        []model.Edge        `json:"edges"`
	Warnings     []model.Warning     `json:"warnings"`
}

// NewGraph collects the snapshot's contents, derived edges and warnings.
func NewGraph(s *model.Snapshot) Graph {
	return Graph{
		Version:      s.Version(),
		Status:       s.Status(),
		DefaultAllow: s.DefaultAllow(),
		Nodes:        model.NonNil(s.Nodes()),
		Allocations:  model.NonNil(s.Allocations()),
		Services:     model.NonNil(s.Services()),
		Intentions:   model.NonNil(s.Intentions()),
		Edges:        model.NonNil(s.Edges()),
		Warnings:     model.NonNil(lint.Warnings(s)),
	}
}

// GraphJSON is NewGraph encoded as JSON.
func GraphJSON(s *model.Snapshot) ([]byte, error) {
	b, err := json.Marshal(NewGraph(s))
	if err != nil {
		return nil, fmt.Errorf("snapshot %d to json: %w", s.Version(), err)
	}
	return b, nil
}
