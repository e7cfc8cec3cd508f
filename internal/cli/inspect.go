package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/sessionfmt"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
)

// list, history and export only read the store: they create no database file, no
// directory and no key, and reach no Telegram.

func init() {
	register("list", command{
		summary: "List the logins in the store, oldest first: ID, state, method, last change.",
		usage:   "list [--state S] [--json] [--store SPEC]",
		run:     runList,
	})
	register("history", command{
		summary: "Print a login's journal: every transition with its time, event and problem.",
		usage:   "history [ID] [--json] [--store SPEC]",
		run:     runHistory,
	})
	register("export", command{
		summary: "Print an authorized login's session in another library's format: gotd (session JSON),\n" +
			"telethon (StringSession) or pyrogram (session string). It holds the account's auth key: keep it secret.",
		usage: "export [ID] --format gotd|telethon|pyrogram [--api-id N] [--json] [--store SPEC]",
		run:   runExport,
	})
}

func runList(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "list")
	spec := storeFlag(fs)
	state := fs.String("state", "", "only logins in this `STATE`")
	asJSON := fs.Bool("json", false, "one JSON object per login")
	if pos, err := parseArgs(fs, args); err != nil || len(pos) != 0 {
		return usageErr(fs, err)
	}
	if *state != "" && !states.Valid(machine.State(*state)) {
		return fmt.Errorf("--state %q is not a state; see 'tgauth statechart'", *state)
	}
	engine, closeStore, err := reader(ctx, env, *spec, reading)
	if err != nil {
		return err
	}
	defer closeStore()
	logins, err := engine.List(ctx, machine.ListOptions{State: machine.State(*state)})
	if err != nil {
		return err
	}
	for _, l := range logins {
		if *asJSON {
			if err := printJSON(env, map[string]any{"id": l.ID, "state": l.State, "method": l.Method, "updated": l.Updated}); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(env.Stdout, "%s  %-18s %-5s %s\n", l.ID, l.State, l.Method, l.Updated.UTC().Format(time.RFC3339))
	}
	return nil
}

func runHistory(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "history")
	spec := storeFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON object per transition")
	pos, err := parseArgs(fs, args)
	if err != nil || len(pos) > 1 {
		return usageErr(fs, err)
	}
	engine, closeStore, err := reader(ctx, env, *spec, reading)
	if err != nil {
		return err
	}
	defer closeStore()
	id, err := loginOrLatest(ctx, env, engine, pos)
	if err != nil {
		return err
	}
	journal, err := engine.Journal(ctx, id)
	if err != nil {
		return fmt.Errorf("login %s: %w", id, err)
	}
	for _, j := range journal {
		if *asJSON {
			if err := printJSON(env, j); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(env.Stdout, "%s  v%-3d %s --%s--> %s", j.At.UTC().Format(time.RFC3339Nano), j.Version, j.From, j.Event, j.To)
		if j.Problem != nil {
			fmt.Fprintf(env.Stdout, "  (%s)", j.Problem.Text())
		}
		fmt.Fprintln(env.Stdout)
	}
	return nil
}

func runExport(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "export")
	spec := storeFlag(fs)
	format := fs.String("format", "", "gotd, telethon or pyrogram")
	apiID := fs.Int("api-id", 0, "the API id Pyrogram sessions carry (default $TG_API_ID, else the test DC's)")
	asJSON := fs.Bool("json", false, `print {"id":ID,"format":F,"session":S}`)
	pos, err := parseArgs(fs, args)
	if err != nil || len(pos) > 1 || *format == "" {
		return usageErr(fs, err)
	}
	tg := telegramFlags{apiID: *apiID}
	if err := tg.credentials(env); err != nil {
		return err
	}
	if err := checkAPIID(tg.apiID); err != nil {
		return err
	}
	if tg.apiID == 0 {
		tg.apiID = testDCAppID
	}
	engine, closeStore, err := reader(ctx, env, *spec, exporting)
	if err != nil {
		return err
	}
	defer closeStore()
	id, err := loginOrLatest(ctx, env, engine, pos)
	if err != nil {
		return err
	}
	data, err := engine.Session(ctx, id)
	if errors.Is(err, tgapi.ErrNoSession) {
		return fmt.Errorf("login %s has no stored session", id)
	}
	if err != nil {
		return err
	}
	snap, err := engine.Get(ctx, id)
	if err != nil {
		return err
	}
	user := snap.Prompt.User
	if user == nil {
		return fmt.Errorf("login %s has a session but no account", snap.ID)
	}
	// Pyrogram's test_mode points it at Telegram's test DCs; a test DC of ours is one too.
	testMode := snap.Telegram == telegramTestDCs || strings.HasPrefix(snap.Telegram, "testdc:")
	out, err := sessionfmt.Encode(*format, data, sessionfmt.Account{APIID: tg.apiID, UserID: user.ID, Bot: user.Bot, TestMode: testMode})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env, map[string]any{"id": snap.ID, "format": *format, "session": out})
	}
	fmt.Fprintln(env.Stdout, out)
	return nil
}
