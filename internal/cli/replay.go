package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/tgauth/tgauth/replay"
	"github.com/tgauth/tgauth/scenario"
)

func init() {
	register("replay", command{
		summary: "Re-drive the engine from a recorded trace, with Telegram's answers taken from it, and check\n" +
			"that it walks the same states. Exits 1 with a diff naming the entry where it diverges.",
		usage: "replay FILE.jsonl",
		run: func(ctx context.Context, env Env, args []string) error {
			fs := flags(env, "replay")
			if err := fs.Parse(args); err != nil {
				return errUsage
			}
			if fs.NArg() != 1 {
				fs.Usage()
				return errUsage
			}
			t, err := replay.ReadFile(fs.Arg(0))
			if err != nil {
				return err
			}
			_, err = scenario.Replay(ctx, t)
			var d *scenario.Divergence
			if errors.As(err, &d) {
				fmt.Fprintf(env.Stderr, "%s: %v\n", fs.Arg(0), d)
				return exitError{1}
			}
			if err != nil {
				return err
			}
			inputs, states := 0, len(replay.States(t))
			for _, en := range t.Entries {
				if en.Type == replay.TypeInput {
					inputs++
				}
			}
			fmt.Fprintf(env.Stdout, "%s: replayed %d inputs, walked the same %d states\n", fs.Arg(0), inputs, states)
			return nil
		},
	})
}
