package model

// Keys are the stable, human-readable IDs of model objects. Edges, warnings,
// deltas and URLs all use them, so they never depend on pointer identity or
// on the order things were seen in.

// NodeKey is the key of a node: "node/<id>".
func NodeKey(id string) string { return "node/" + id }

// AllocKey is the key of an allocation: "alloc/<id>".
func AllocKey(id string) string { return "alloc/" + id }

// TaskKey is the key of a task of an allocation: "task/<allocID>/<task>".
func TaskKey(allocID, task string) string { return "task/" + allocID + "/" + task }

// ServiceKey is the key of a service by name: "service/<name>". All instances
// of a name, from every provider, share it: edges point at the name, because
// that is what a client asks the registry for.
func ServiceKey(name string) string { return "service/" + name }

// Delta keys for changes that are not about one node, allocation or service.
const (
	// KeyStatus is in Delta.Changed when a source's status changed.
	KeyStatus = "status"
	// KeyIntentions is in Delta.Changed when the intentions or the default
	// action changed.
	KeyIntentions = "intentions"
)

// serviceRowKey keys the services table: an instance is identified by its
// provider and the provider's own ID. The NUL byte cannot occur in either, so
// distinct pairs never collide.
func serviceRowKey(provider, id string) string { return provider + "\x00" + id }

// jobRowKey keys the by-job index.
func jobRowKey(namespace, jobID string) string { return namespace + "\x00" + jobID }
