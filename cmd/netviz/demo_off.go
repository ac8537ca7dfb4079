//go:build !demo

package main

import (
	"context"
	"errors"
	"io"
)

// runDemo in a release build: the demo's cluster code is not linked in.
func runDemo(context.Context, []string, io.Writer, io.Writer) error {
	return errors.New("this netviz was built without the demo; run `make demo` (it builds with -tags demo)")
}
