package cli

import (
	"context"
	"fmt"

	"github.com/tgauth/tgauth/testdc"
)

func init() {
	register("testdc", command{
		summary: "Run a fake Telegram (three DCs on 127.0.0.1, real MTProto, Telegram's test-DC rules) until\n" +
			"interrupted, writing the addresses and keys clients need to --config-out; other commands reach\n" +
			"it with --telegram testdc:FILE. 'tgauth testdc scan' accepts a QR login as a second client.",
		usage: "testdc [--world FILE] [--config-out FILE] | testdc scan --as PHONE [--password P] --config FILE URL",
		run: func(ctx context.Context, env Env, args []string) error {
			if len(args) > 0 && args[0] == "scan" {
				return runScan(ctx, env, args[1:])
			}
			fs := flags(env, "testdc")
			world := fs.String("world", "", "world `FILE` (JSON) with accounts beyond the implicit 99966XYYYY ones")
			out := fs.String("config-out", "testdc.json", "write the client config to `FILE`")
			if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
				if err == nil {
					fs.Usage()
				}
				return errUsage
			}
			var w testdc.World
			if *world != "" {
				var err error
				if w, err = testdc.LoadWorld(*world); err != nil {
					return err
				}
			}
			dc, err := testdc.Start(ctx, testdc.Options{World: w})
			if err != nil {
				return err
			}
			defer dc.Close()
			if err := dc.Config().WriteFile(*out); err != nil {
				return err
			}
			id, err := testDCID(dc.Config())
			if err != nil {
				return err
			}
			for _, e := range dc.Config().DCs {
				fmt.Fprintf(env.Stdout, "DC %d on %s\n", e.ID, e.Addr)
			}
			fmt.Fprintf(env.Stdout, "logins started on it belong to Telegram %s\n", id)
			fmt.Fprintf(env.Stdout, "config written to %s; use --telegram testdc:%s (Ctrl-C stops)\n", *out, *out)
			<-ctx.Done()
			return nil
		},
	})
}

func runScan(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "testdc")
	as := fs.String("as", "", "the `PHONE` of the account that scans (logged in on the test DC)")
	password := fs.String("password", "", "that account's 2FA password, if it has one")
	config := fs.String("config", "testdc.json", "the test DC's config `FILE`")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || *as == "" {
		if err == nil {
			fs.Usage()
		}
		return errUsage
	}
	cfg, err := testdc.ReadConfig(*config)
	if err != nil {
		return err
	}
	if err := testdc.Scan(ctx, cfg, *as, *password, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "accepted the login token as %s\n", *as)
	return nil
}
