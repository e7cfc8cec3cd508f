package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/sessionfmt"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
)

func init() {
	register("list", command{
		summary: "List the logins in the store, oldest first: ID, state, method, last change.",
		usage:   "list [--state S] [--json] [--store SPEC]",
		run: func(ctx context.Context, env Env, args []string) error {
			fs := flags(env, "list")
			spec := fs.String("store", "", "the store (default $TGAUTH_STORE, else "+DefaultStore+")")
			state := fs.String("state", "", "only logins in this `STATE`")
			asJSON := fs.Bool("json", false, "one JSON object per login")
			if pos, err := parseInterspersed(fs, args); err != nil || len(pos) != 0 {
				return usageErr(fs, err)
			}
			if *state != "" && !states.Valid(machine.State(*state)) {
				return fmt.Errorf("--state %q is not a state; see 'tgauth statechart'", *state)
			}
			store, closeStore, err := openStore(ctx, env, storeSpec(env, *spec))
			if err != nil {
				return err
			}
			defer closeStore()
			logins, err := store.List(ctx, machine.ListOptions{State: machine.State(*state)})
			if err != nil {
				return err
			}
			for _, l := range logins {
				if *asJSON {
					b, _ := json.Marshal(map[string]any{"id": l.ID, "state": l.State, "method": l.Method, "updated": l.UpdatedAt})
					fmt.Fprintf(env.Stdout, "%s\n", b)
					continue
				}
				fmt.Fprintf(env.Stdout, "%s  %-18s %-5s %s\n", l.ID, l.State, l.Method, l.UpdatedAt.UTC().Format(time.RFC3339))
			}
			return nil
		},
	})
	register("history", command{
		summary: "Print a login's journal: every transition with its time, event and reason.",
		usage:   "history ID [--store SPEC]",
		run: func(ctx context.Context, env Env, args []string) error {
			fs := flags(env, "history")
			spec := fs.String("store", "", "the store (default $TGAUTH_STORE, else "+DefaultStore+")")
			pos, err := parseInterspersed(fs, args)
			if err != nil || len(pos) != 1 {
				return usageErr(fs, err)
			}
			store, closeStore, err := openStore(ctx, env, storeSpec(env, *spec))
			if err != nil {
				return err
			}
			defer closeStore()
			journal, err := store.Journal(ctx, pos[0])
			if err != nil {
				return fmt.Errorf("login %s: %w", pos[0], err)
			}
			for _, j := range journal {
				fmt.Fprintf(env.Stdout, "%s  v%-3d %s --%s--> %s", j.At.UTC().Format(time.RFC3339Nano), j.Version, j.From, j.Event, j.To)
				if j.Note != "" {
					fmt.Fprintf(env.Stdout, "  (%s)", j.Note)
				}
				fmt.Fprintln(env.Stdout)
			}
			return nil
		},
	})
	register("export", command{
		summary: "Print an authorized login's session in another library's format: gotd (session JSON),\n" +
			"telethon (StringSession) or pyrogram (session string). It holds the account's auth key: keep it secret.",
		usage: "export ID --format gotd|telethon|pyrogram [--api-id N] [--store SPEC]",
		run: func(ctx context.Context, env Env, args []string) error {
			fs := flags(env, "export")
			spec := fs.String("store", "", "the store (default $TGAUTH_STORE, else "+DefaultStore+")")
			format := fs.String("format", "", "gotd, telethon or pyrogram")
			apiID := fs.Int("api-id", 0, "the API id Pyrogram sessions carry (default $TG_API_ID, else the test DC's)")
			pos, err := parseInterspersed(fs, args)
			if err != nil || len(pos) != 1 || *format == "" {
				return usageErr(fs, err)
			}
			store, closeStore, err := openStore(ctx, env, storeSpec(env, *spec))
			if err != nil {
				return err
			}
			defer closeStore()
			l, err := store.Get(ctx, pos[0])
			if err != nil {
				return fmt.Errorf("login %s: %w", pos[0], err)
			}
			if l.State != states.Authorized || l.User == nil {
				return fmt.Errorf("login %s is %s: only an Authorized login has a session to export", l.ID, l.State)
			}
			data, err := store.LoadSession(ctx, l.ID)
			if errors.Is(err, tgapi.ErrNoSession) {
				return fmt.Errorf("login %s has no stored session", l.ID)
			}
			if err != nil {
				return err
			}
			var tg telegramFlags
			tg.apiID = *apiID
			if err := tg.credentials(env); err != nil {
				return err
			}
			if tg.apiID == 0 {
				tg.apiID = testDCAppID
			}
			out, err := sessionfmt.Encode(*format, data, sessionfmt.Account{APIID: tg.apiID, UserID: l.User.ID, Bot: l.User.Bot})
			if err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, out)
			return nil
		},
	})
	register("serve-timers", command{
		summary: "Fire the timers of the logins in the store (QR refresh, flood-wait retry, TTL expiry) and\n" +
			"recover logins a crashed process left in flight, until interrupted. Every long-running command\n" +
			"(login) does this itself; run it beside step commands.",
		usage: "serve-timers [--store SPEC] [--telegram testdc:FILE]",
		run: func(ctx context.Context, env Env, args []string) error {
			fs := flags(env, "serve-timers")
			var ef engineFlags
			ef.register(fs)
			if pos, err := parseInterspersed(fs, args); err != nil || len(pos) != 0 {
				return usageErr(fs, err)
			}
			r, err := ef.start(ctx, env, false)
			if err != nil {
				return err
			}
			defer r.close()
			fmt.Fprintln(env.Stdout, "serving timers (Ctrl-C stops)")
			return r.engine.Run(ctx)
		},
	})
}
