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
		usage: "replay [--json] FILE.jsonl",
		run: func(ctx context.Context, env Env, args []string) error {
			fs := flags(env, "replay")
			asJSON := fs.Bool("json", false, "print the result as one JSON object")
			pos, err := parseArgs(fs, args)
			if err != nil || len(pos) != 1 {
				return usageErr(fs, err)
			}
			file := pos[0]
			t, err := replay.ReadFile(file)
			if err != nil {
				return err
			}
			_, err = scenario.Replay(ctx, t)
			var d *scenario.Divergence
			if errors.As(err, &d) {
				if *asJSON {
					printJSON(env, map[string]any{"file": file, "diverged": d.Error()})
				}
				fmt.Fprintf(env.Stderr, "%s: %v\n", file, d)
				return exitError{exitRefused}
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
			if *asJSON {
				return printJSON(env, map[string]any{"file": file, "inputs": inputs, "states": states})
			}
			fmt.Fprintf(env.Stdout, "%s: replayed %d inputs, walked the same %d states\n", file, inputs, states)
			return nil
		},
	})
}
