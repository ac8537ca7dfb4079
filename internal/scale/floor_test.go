//go:build scale

package scale

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// The floor: what reading Nomad's state costs anyone, with no model at all.
// The same requests as netviz's sync (collector/nomad, readState), with the
// same parallelism (the four lists at once; job specs and service instances
// eight at a time), each body read whole and decoded with encoding/json into
// small structs holding the fields netviz's own slim types hold. Bytes are
// counted as received (gzip, which the Nomad API client asks for and
// netviz's byte counter sees) and as JSON.

// floorAlloc mirrors the fields collector/nomad decodes of a listed
// allocation.
type floorAlloc struct {
	ID, Name, Namespace, NodeID, NodeName, JobID, JobType, TaskGroup string
	DesiredStatus, ClientStatus                                      string
	JobVersion, ModifyIndex                                          uint64
	AllocatedResources                                               *struct {
		Shared struct {
			Networks []struct {
				Mode         string
				DynamicPorts []struct {
					Label       string
					Value, To   int
					HostNetwork string
				}
			}
			Ports []struct {
				Label     string
				Value, To int
				HostIP    string
			}
		}
	}
}

type floorNode struct {
	ID, Name, Datacenter, Status, HTTPAddr string
	NodeResources                          *struct {
		MinDynamicPort, MaxDynamicPort int
	}
}

type floorJobStub struct {
	ID, Namespace string
	Version       uint64
}

type floorJob struct {
	ID, Namespace string
	Version       uint64
	TaskGroups    []struct {
		Name     string
		Networks []struct{ Mode string }
		Services []struct{ Name, PortLabel, Provider string }
		Tasks    []struct {
			Name, Driver string
			Config       map[string]any
			Env          map[string]string
		}
	}
}

type floorServiceList struct {
	Namespace string
	Services  []struct{ ServiceName string }
}

type floorServiceReg struct {
	ID, ServiceName, Namespace, NodeID, AllocID, Address string
	Port                                                 int
	Tags                                                 []string
}

// floorResult is one read of the floor.
type floorResult struct {
	took time.Duration
	// bytes as received (gzip, as netviz counts them) and as JSON.
	bytes, jsonBytes int64
	// decode is the time spent in json.Unmarshal, summed over requests
	// (some of it ran in parallel).
	decode time.Duration
	// allocs* are the allocation list alone: its bytes (JSON), the time
	// to receive it, and to decode it.
	allocs                       int
	allocBytes                   int64
	allocFetch, allocDecode      time.Duration
	jobs, services, serviceReads int
}

// floorReader reads Nomad's HTTP API with a plain pooled client.
type floorReader struct {
	addr   string
	client *http.Client
	// bytes are as received (gzip), jsonBytes decompressed.
	bytes, jsonBytes atomic.Int64
	decode           atomic.Int64 // nanoseconds
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

func newFloorReader(addr string) *floorReader {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return &floorReader{addr: addr, client: &http.Client{Transport: t}}
}

func (f *floorReader) close() { f.client.CloseIdleConnections() }

// get reads path (with namespace) and decodes it into out; it returns the
// body's size, the time to receive it and the time to decode it.
func (f *floorReader) get(ctx context.Context, path, namespace string, out any) (int64, time.Duration, time.Duration, error) {
	u := f.addr + path
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	u += sep + "namespace=" + url.QueryEscape(namespace)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	// Asked for explicitly, as the Nomad API client does, so the body is
	// counted as sent (gzip) and decompressed here.
	req.Header.Set("Accept-Encoding", "gzip")
	start := time.Now()
	resp, err := f.client.Do(req)
	if err != nil {
		return 0, 0, 0, err
	}
	wire := &countReader{r: resp.Body}
	var r io.Reader = wire
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(wire)
		if err != nil {
			resp.Body.Close()
			return 0, 0, 0, err
		}
		r = zr
	}
	body, err := io.ReadAll(r)
	resp.Body.Close()
	if err != nil {
		return 0, 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, 0, fmt.Errorf("GET %s: %s: %.200s", path, resp.Status, body)
	}
	fetch := time.Since(start)
	f.bytes.Add(wire.n)
	f.jsonBytes.Add(int64(len(body)))
	start = time.Now()
	err = json.Unmarshal(body, out)
	dec := time.Since(start)
	f.decode.Add(int64(dec))
	return int64(len(body)), fetch, dec, err
}

// readFloor reads the whole state once.
func readFloor(ctx context.Context, addr string) (floorResult, error) {
	f := newFloorReader(addr)
	defer f.close()
	var (
		res   floorResult
		mu    sync.Mutex
		stubs []floorJobStub
		lists []floorServiceList
	)
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var allocs []floorAlloc
		n, fetch, dec, err := f.get(gctx, "/v1/allocations?resources=true&task_states=false", "*", &allocs)
		mu.Lock()
		res.allocs, res.allocBytes, res.allocFetch, res.allocDecode = len(allocs), n, fetch, dec
		mu.Unlock()
		return err
	})
	g.Go(func() error {
		var nodes []floorNode
		_, _, _, err := f.get(gctx, "/v1/nodes?resources=true", "*", &nodes)
		return err
	})
	g.Go(func() error {
		if _, _, _, err := f.get(gctx, "/v1/jobs", "*", &stubs); err != nil {
			return err
		}
		jg, jctx := errgroup.WithContext(gctx)
		jg.SetLimit(8)
		for _, s := range stubs {
			jg.Go(func() error {
				var job floorJob
				_, _, _, err := f.get(jctx, "/v1/job/"+url.PathEscape(s.ID), s.Namespace, &job)
				return err
			})
		}
		return jg.Wait()
	})
	g.Go(func() error {
		if _, _, _, err := f.get(gctx, "/v1/services", "*", &lists); err != nil {
			return err
		}
		sg, sctx := errgroup.WithContext(gctx)
		sg.SetLimit(8)
		for _, l := range lists {
			for _, s := range l.Services {
				sg.Go(func() error {
					var regs []floorServiceReg
					_, _, _, err := f.get(sctx, "/v1/service/"+url.PathEscape(s.ServiceName), l.Namespace, &regs)
					mu.Lock()
					res.services += len(regs)
					res.serviceReads++
					mu.Unlock()
					return err
				})
			}
		}
		return sg.Wait()
	})
	if err := g.Wait(); err != nil {
		return res, err
	}
	res.took = time.Since(start)
	res.bytes, res.jsonBytes = f.bytes.Load(), f.jsonBytes.Load()
	res.decode = time.Duration(f.decode.Load())
	res.jobs = len(stubs)
	return res, nil
}
