package cli

import (
	"context"
	"fmt"

	"github.com/tgauth/tgauth/transitions"
)

func init() {
	register("statechart", command{
		summary: "Print the login state chart (Markdown with a Mermaid diagram), as docs/statechart.md holds it.",
		usage:   "statechart",
		run: func(_ context.Context, env Env, args []string) error {
			fs := flags(env, "statechart")
			if err := fs.Parse(args); err != nil {
				return errUsage
			}
			if fs.NArg() != 0 {
				fs.Usage()
				return errUsage
			}
			_, err := fmt.Fprint(env.Stdout, transitions.Markdown())
			return err
		},
	})
}
