package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tgauth/tgauth/testdc"
)

func init() {
	register("testdc", command{
		summary: "Run a fake Telegram (three DCs on 127.0.0.1, real MTProto, Telegram's test-DC rules) until\n" +
			"interrupted, writing the addresses and keys clients need to --config-out; other commands\n" +
			"reach it with --telegram testdc:FILE.",
		usage: "testdc [--world FILE] [--config-out FILE] [--qr-ttl D] [--json]",
		run:   runTestDC,
	})
	register("testdc pay", command{
		summary: "Mark the paid sign-in of a phone paid on a running test DC (payments.sendPaymentForm from a\n" +
			"second, real MTProto client), as a person paying the form's link in a browser would.",
		usage: "testdc pay --telegram testdc:FILE [--json] PHONE",
		run:   runPay,
	})
	register("testdc scan", command{
		summary: "Accept a QR login token as a second, real MTProto client logged in to a running test DC.",
		usage:   "testdc scan --as PHONE [--password P] --telegram testdc:FILE [--json] URL",
		run:     runScan,
	})
}

func runTestDC(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "testdc")
	world := fs.String("world", "", "world `FILE` (JSON) with accounts beyond the implicit 99966XYYYY ones")
	out := fs.String("config-out", "testdc.json", "write the client config to `FILE`")
	qrTTL := fs.Duration("qr-ttl", 30*time.Second, "how long a QR login token lives")
	asJSON := fs.Bool("json", false, "print the DCs, the Telegram ID and the config file as one JSON object")
	if pos, err := parseArgs(fs, args); err != nil || len(pos) != 0 {
		return usageErr(fs, err)
	}
	var w testdc.World
	if *world != "" {
		var err error
		if w, err = testdc.LoadWorld(*world); err != nil {
			return err
		}
	}
	dc, err := testdc.Start(ctx, testdc.Options{World: w, QRTokenTTL: *qrTTL})
	if err != nil {
		return err
	}
	defer dc.Close()
	cfg := dc.Config()
	if err := cfg.WriteFile(*out); err != nil {
		return err
	}
	id, err := testDCID(cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := json.Marshal(map[string]any{"dcs": cfg.DCs, "telegram": id, "config": *out})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s\n", b)
	} else {
		for _, e := range cfg.DCs {
			fmt.Fprintf(env.Stdout, "DC %d on %s\n", e.ID, e.Addr)
		}
		fmt.Fprintf(env.Stdout, "logins started on it belong to Telegram %s\n", id)
		fmt.Fprintf(env.Stdout, "config written to %s; use --telegram testdc:%s (Ctrl-C stops)\n", *out, *out)
	}
	<-ctx.Done()
	return nil
}

func runPay(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "testdc pay")
	var tg telegramFlags
	fs.StringVar(&tg.telegram, "telegram", "", "`testdc:FILE`: the config of the running 'tgauth testdc'")
	asJSON := fs.Bool("json", false, `print {"paid":true,"phone":PHONE}`)
	pos, err := parseArgs(fs, args)
	if err != nil || len(pos) != 1 {
		return usageErr(fs, err)
	}
	if err := testDCClient(env, &tg); err != nil {
		return err
	}
	if err := testdc.Pay(ctx, *tg.dcConfig, pos[0]); err != nil {
		return err
	}
	if *asJSON {
		b, _ := json.Marshal(map[string]any{"paid": true, "phone": pos[0]})
		fmt.Fprintf(env.Stdout, "%s\n", b)
		return nil
	}
	fmt.Fprintf(env.Stdout, "paid the sign-in of %s; the login's check-paid goes on to the code\n", pos[0])
	return nil
}

// testDCClient checks the --telegram flag of a command that is a client of a running test
// DC (scan, pay).
func testDCClient(env Env, tg *telegramFlags) error {
	if tg.telegram == "" {
		return errors.New("pass --telegram testdc:FILE, the config of the running 'tgauth testdc'")
	}
	return tg.check(env)
}

func runScan(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "testdc scan")
	as := fs.String("as", "", "the `PHONE` of the account that scans (logged in on the test DC)")
	password := fs.String("password", "", "that account's 2FA password, if it has one")
	var tg telegramFlags
	fs.StringVar(&tg.telegram, "telegram", "", "`testdc:FILE`: the config of the running 'tgauth testdc'")
	asJSON := fs.Bool("json", false, `print {"accepted":true,"as":PHONE}`)
	pos, err := parseArgs(fs, args)
	if err != nil || len(pos) != 1 || *as == "" {
		return usageErr(fs, err)
	}
	if err := testDCClient(env, &tg); err != nil {
		return err
	}
	if err := testdc.Scan(ctx, *tg.dcConfig, *as, *password, pos[0]); err != nil {
		return err
	}
	if *asJSON {
		b, _ := json.Marshal(map[string]any{"accepted": true, "as": *as})
		fmt.Fprintf(env.Stdout, "%s\n", b)
		return nil
	}
	fmt.Fprintf(env.Stdout, "accepted the login token as %s\n", *as)
	return nil
}
