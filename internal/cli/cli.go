// Package cli is the tgauth command line: one function per subcommand, each a thin layer
// of flags over the packages that do the work. cmd/tgauth calls Main; the scenario tests
// run the same Main in-process as the `tgauth` command of their scripts.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
)

// Env is what a command reads and writes, so tests can run commands in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// command is one subcommand.
type command struct {
	summary string
	usage   string
	run     func(ctx context.Context, env Env, args []string) error
}

var commands = map[string]command{}

func register(name string, c command) { commands[name] = c }

// errUsage makes Main exit 2 after the command printed its usage.
var errUsage = errors.New("usage")

// exitError carries a specific exit code; its message, if any, is already printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main runs the command line args (without the program name) and returns the exit code:
// 0 on success, 1 when the command failed, 2 for a usage error.
func Main(ctx context.Context, env Env, args []string) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				fmt.Fprintf(env.Stdout, "usage: tgauth %s\n\n%s\n", c.usage, c.summary)
				return 0
			}
		}
		usage(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "tgauth: unknown command %q; run 'tgauth help' for the list\n", args[0])
		return 2
	}
	err := c.run(ctx, env, args[1:])
	var exit exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		return 2
	case errors.As(err, &exit):
		return exit.code
	}
	fmt.Fprintf(env.Stderr, "tgauth %s: %v\n", args[0], err)
	return 1
}

// Run is Main for a real process: os.Args, the standard streams, and a context that is
// cancelled on the first interrupt. A command lets the Telegram call in flight finish and
// keeps its answer before it exits (130); a second interrupt kills the process at once,
// leaving a call in flight to be recovered by the next command on the login.
func Run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // the next interrupt is the default one again
	}()
	return Main(ctx, Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}, os.Args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "tgauth: Telegram login as an explicit, persisted state machine.")
	fmt.Fprintln(w, "\nUsage: tgauth COMMAND [flags] [args]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'tgauth help COMMAND' for a command's flags.")
}

// flags returns a flag set for a command that prints its usage to env.Stderr.
func flags(env Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("tgauth "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		c := commands[name]
		fmt.Fprintf(env.Stderr, "usage: tgauth %s\n\n%s\n", c.usage, c.summary)
		if hasFlags(fs) {
			fmt.Fprintln(env.Stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}
