// Command netviz serves a live dashboard of how a Nomad cluster's allocations
// are wired on the network, and answers "which services can reach which, and
// why". See `netviz --help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// usage is the top-level help; each subcommand has its own flags (-h).
const usage = `netviz — how Nomad allocations are wired on the network

Usage:
  netviz [serve] [flags]     serve the dashboard (default 127.0.0.1:7777)
  netviz dump [--watch]      sync once and print the model as JSON;
                             --watch then prints each change as a JSON line
  netviz demo                start a local Nomad+Consul dev cluster with the
                             example jobs, and serve the dashboard on it
                             (only in the demo build: make demo)
  netviz reach FROM TO       can FROM reach TO, by which paths, and why;
                             exit 0 reachable, 1 not, 2 error (--json)
  netviz lint                the cluster's findings; exit 1 when any is at or
                             above --severity (default warning) (--json)
  netviz history [--since 1h] [--job J] [--json]
                             what changed on the network, from the history
                             serve records in --data-dir
  netviz check FILE.nomad.hcl  what the job would do to the network before
                             it runs; exit 0 clean, 1 findings, 2 error (--json)

Nomad and Consul are found exactly as the official CLIs find them:
  NOMAD_ADDR, NOMAD_TOKEN, NOMAD_NAMESPACE, NOMAD_REGION, NOMAD_CACERT,
  NOMAD_CLIENT_CERT, NOMAD_CLIENT_KEY, NOMAD_SKIP_VERIFY, ...
  CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, CONSUL_CACERT, CONSUL_HTTP_SSL, ...
Without NOMAD_NAMESPACE every namespace is shown. Tokens are never sent to
the browser or written to logs.

Run 'netviz <command> -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a command-line mistake (exit 2).
var errUsage = errors.New("usage")

// run dispatches to a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, args, stderr)
	case "dump":
		err = runDump(ctx, args, stdout, stderr)
	case "demo":
		err = runDemo(ctx, args, stdout, stderr)
	case "agent":
		err = runAgent(ctx, args, stderr)
	case "check":
		return runCheck(ctx, args, stdout, stderr)
	case "history":
		err = runHistory(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		if code, ok := runAnalysis(ctx, cmd, args, stdout, stderr); ok {
			return code
		}
		fmt.Fprintf(stderr, "netviz: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "netviz %s: %v\n", cmd, err)
		return 1
	}
}
