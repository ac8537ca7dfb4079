// Package acl runs `netviz check` on a cluster with ACLs: a token that may
// read and parse but not plan gets netviz's estimate, labelled as one; a
// token that may not parse exits 2 (the tests, behind the integration tag).
package acl
