package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// parseArgs parses a command's flags, which may stand before, between or after the
// positional arguments, which it returns. It prints nothing: usageErr says what is wrong.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	defer func() { fs.SetOutput(out); fs.Usage = usage }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// usageErr says what is wrong with a command line that parseArgs failed on (err), or
// whose arguments are not what the command takes (err nil), and returns errUsage. A flag
// the command does not take is named with the commands that take it.
func usageErr(fs *flag.FlagSet, err error) error {
	name := strings.TrimPrefix(fs.Name(), "tgauth ")
	w := fs.Output()
	flagName, unknown := "", false
	if err != nil {
		flagName, unknown = strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		fs.Usage()
	case unknown:
		fmt.Fprintf(w, "tgauth %s: it takes no flag --%s", name, flagName)
		if by := takenBy(flagName); len(by) > 0 {
			fmt.Fprintf(w, "; %s take it", strings.Join(by, ", "))
		}
		fmt.Fprintf(w, ". Run 'tgauth help %s' for its flags.\n", name)
	default:
		fmt.Fprintf(w, "tgauth %s: %v. Run 'tgauth help %s' for its flags.\n", name, err, name)
	}
	return errUsage
}

// printJSON prints v as one line of JSON on stdout: the result of a command run with --json.
func printJSON(env Env, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Stdout, "%s\n", b)
	return err
}
