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
			if pos, err := parseArgs(fs, args); err != nil || len(pos) != 0 {
				return usageErr(fs, err)
			}
			_, err := fmt.Fprint(env.Stdout, transitions.Markdown())
			return err
		},
	})
}
