# Read-only ACL policy for netviz's workload identity: every namespace's
# jobs, allocations and services, nodes, and the event stream topics netviz
# follows (Node, Job, Allocation, Service). Attach it to the netviz job:
#   nomad acl policy apply -namespace default -job netviz netviz deploy/netviz-policy.hcl
namespace "*" {
  policy       = "read"
  capabilities = ["read-job", "list-jobs"]
}

node {
  policy = "read"
}

agent {
  policy = "read"
}
