// Command holdspace is the whole of holdspace in one binary: the server, the
// demo, migrations, user administration, audit verification and rule-pack
// tools. See `holdspace help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "holdspace:", err)
		os.Exit(exitCode(err))
	}
}
