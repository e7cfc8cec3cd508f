package cli

import (
	"context"
	"errors"
	"fmt"
)

func init() {
	register("serve-timers", command{
		summary: "Fire the timers of the logins in the store (QR refresh, flood-wait retry, TTL expiry) and\n" +
			"recover logins a crashed process left in flight, until interrupted. Every long-running command\n" +
			"(login) does this itself; run it beside step commands, with the Telegram they use: logins of\n" +
			"another Telegram are left alone.",
		usage: "serve-timers [--store SPEC] " + telegramUsage,
		run:   runServeTimers,
	})
}

func runServeTimers(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "serve-timers")
	var ef engineFlags
	ef.register(fs)
	if pos, err := parseArgs(fs, args); err != nil || len(pos) != 0 {
		return usageErr(fs, err)
	}
	r, err := ef.start(ctx, env, engineUse{store: starting})
	if errors.Is(err, errNoTelegram) {
		return fmt.Errorf("timers fire for the logins of one Telegram: %w", err)
	}
	if err != nil {
		return err
	}
	defer r.close()
	fmt.Fprintln(env.Stdout, "serving timers (Ctrl-C stops)")
	return r.engine.Run(ctx)
}
