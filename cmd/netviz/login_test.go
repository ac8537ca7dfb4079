package main

import (
	"flag"
	"strings"
	"testing"
)

// --auth=nomad-token is authentication enough for a non-loopback address;
// an unknown --auth is refused.
func TestAuthFlag(t *testing.T) {
	parse := func(args ...string) (*serveFlags, error) {
		var f serveFlags
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		f.register(fs)
		f.registerWeb(fs)
		return &f, fs.Parse(args)
	}
	f, err := parse("--listen", "0.0.0.0:7777", "--auth", "nomad-token")
	if err != nil {
		t.Fatal(err)
	}
	opts, err := f.webOptions()
	if err != nil {
		t.Fatalf("--auth=nomad-token on 0.0.0.0 refused: %v", err)
	}
	if opts.Login == nil || opts.Login.Nomad == nil || opts.Login.Consul == nil {
		t.Errorf("login options %+v", opts.Login)
	}
	f, _ = parse("--listen", "0.0.0.0:7777", "--auth", "nomad-token", "--no-consul")
	if opts, err = f.webOptions(); err != nil || opts.Login.Consul != nil {
		t.Errorf("--no-consul: %v, consul %v", err, opts.Login.Consul)
	}
	f, _ = parse("--auth", "ldap")
	if _, err := f.webOptions(); err == nil || !strings.Contains(err.Error(), "--auth") {
		t.Errorf("--auth ldap: %v", err)
	}
	f, _ = parse("--listen", "0.0.0.0:7777")
	if _, err := f.webOptions(); err == nil || !strings.Contains(err.Error(), "--auth=nomad-token") {
		t.Errorf("no auth on 0.0.0.0: %v, want a refusal naming --auth=nomad-token", err)
	}
	f, _ = parse()
	if opts, err := f.webOptions(); err != nil || opts.Login != nil {
		t.Errorf("default: %v, login %v", err, opts.Login)
	}
}
