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
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
)

// Env is what a command reads and writes, so tests can run commands in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string

	// built, when set, is given the flag set the command builds (see flagsOf).
	built func(*flag.FlagSet)
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

// The exit codes of every command.
const (
	exitDone        = 0   // the command did what it was asked
	exitRefused     = 1   // the input was refused, or the command failed
	exitUsage       = 2   // the command line is wrong
	exitUnreachable = 3   // Telegram did not answer
	exitInterrupted = 130 // interrupted (Ctrl-C), after the call in flight was answered
)

// Main runs the command line args (without the program name) and returns the exit code
// (exitDone, exitRefused...).
func Main(ctx context.Context, env Env, args []string) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			_, c, _ := lookup(args[1:])
			if c.run == nil {
				fmt.Fprintf(env.Stderr, "tgauth: unknown command %q; run 'tgauth help' for the list\n", args[1])
				return exitUsage
			}
			help := env
			help.Stderr = env.Stdout
			_ = c.run(ctx, help, []string{"-h"}) // prints the usage and the flags
			return exitDone
		}
		usage(env.Stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitDone
	}
	name, c, rest := lookup(args)
	if c.run == nil {
		fmt.Fprintf(env.Stderr, "tgauth: unknown command %q; run 'tgauth help' for the list\n", args[0])
		return exitUsage
	}
	err := c.run(ctx, env, rest)
	var exit exitError
	switch {
	case err == nil:
		return exitDone
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		return exitUsage
	case errors.As(err, &exit):
		return exit.code
	}
	fmt.Fprintf(env.Stderr, "tgauth %s: %v\n", name, err)
	var unreachable *unreachableError
	if errors.As(err, &unreachable) {
		return exitUnreachable
	}
	return exitRefused
}

// lookup finds the command args name: one word, or two ("testdc scan"). It returns the
// command's name, the command (zero when there is none) and the arguments after its name.
func lookup(args []string) (string, command, []string) {
	if len(args) > 1 {
		if c, ok := commands[args[0]+" "+args[1]]; ok {
			return args[0] + " " + args[1], c, args[2:]
		}
	}
	return args[0], commands[args[0]], args[1:]
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

// usage prints the list of commands, each summary's first sentence aligned beside its
// name.
func usage(w io.Writer) {
	fmt.Fprintln(w, "tgauth: Telegram login as an explicit, persisted state machine.")
	fmt.Fprintln(w, "\nUsage: tgauth COMMAND [flags] [args]\n\nCommands:")
	names := commandNames()
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, firstSentence(commands[n].summary))
	}
	fmt.Fprintln(w, "\nRun 'tgauth help COMMAND' for what a command does and its flags. The step commands\n"+
		"(phone ... logout, status) act on the login ID given, else on the most recent unfinished login.")
	fmt.Fprintln(w, "\nExit status: 0 done, 1 refused (or failed), 2 usage error, 3 Telegram unreachable,\n130 interrupted (after the call in flight was answered and kept).")
}

// firstSentence is the first sentence of a summary, on one line.
func firstSentence(summary string) string {
	summary = strings.ReplaceAll(summary, "\n", " ")
	if i := strings.Index(summary, ". "); i >= 0 {
		return summary[:i+1]
	}
	return summary
}

// commandNames are the names of the commands, sorted.
func commandNames() []string {
	return slices.Sorted(maps.Keys(commands))
}

// flags returns the flag set of a command; its Usage prints the command's usage and
// flags to env.Stderr.
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
	if env.built != nil {
		env.built(fs)
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// flagsOf returns the flag set command name builds, by running it with -h into nothing:
// every command defines its flags and parses them before it does anything else.
func flagsOf(name string) *flag.FlagSet {
	var fs *flag.FlagSet
	env := Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
		Getenv: func(string) string { return "" }, built: func(f *flag.FlagSet) { fs = f }}
	_ = commands[name].run(context.Background(), env, []string{"-h"})
	return fs
}

// takenBy names the commands that take the flag called name; the step commands, when
// they all do, as one.
func takenBy(name string) []string {
	var by, steps []string
	all := allSteps()
	for _, c := range commandNames() {
		switch fs := flagsOf(c); {
		case fs == nil || fs.Lookup(name) == nil:
		case slices.ContainsFunc(all, func(s step) bool { return s.name == c }):
			steps = append(steps, c)
		default:
			by = append(by, c)
		}
	}
	if len(steps) == len(all) {
		return append(by, "the step commands")
	}
	return append(by, steps...)
}
