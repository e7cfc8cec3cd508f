package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/tgauth/tgauth/drivers/terminal"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/replay"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

func init() {
	register("login", command{
		summary: "Log in interactively: a phone number and its code (and 2FA password), a bot token, or a QR\n" +
			"code scanned with a logged-in app. With no Telegram API credentials it uses an embedded test DC.\n" +
			"Reads plain lines when stdin is not a terminal, e.g. echo -e '+9996621234\\n22222' | tgauth login",
		usage: "login [--phone P | --bot-token T | --qr] [--store SPEC] [--trace FILE] [--telegram testdc:FILE | --api-id N --api-hash H [--test-dc]] [--world FILE]",
		run:   runLogin,
	})
}

func runLogin(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "login")
	var tg telegramFlags
	tg.register(fs)
	phone := fs.String("phone", "", "start with this phone number")
	botToken := fs.String("bot-token", "", "log in as the bot with this token")
	qr := fs.Bool("qr", false, "log in by scanning a QR code")
	storeSpec := fs.String("store", "memory:", "where logins are kept (`SPEC`)")
	tracePath := fs.String("trace", "", "record the login to a trace `FILE` (JSON Lines, secrets redacted)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		if err == nil {
			fs.Usage()
		}
		return errUsage
	}
	var first machine.Input
	switch {
	case *phone != "" && *botToken == "" && !*qr:
		first = machine.SubmitPhone{Phone: *phone}
	case *botToken != "" && *phone == "" && !*qr:
		first = machine.SubmitBotToken{Token: *botToken}
	case *qr && *phone == "" && *botToken == "":
		first = machine.StartQR{}
	case *phone != "" || *botToken != "" || *qr:
		return errors.New("give at most one of --phone, --bot-token and --qr")
	}

	opts, release, err := tg.connect(ctx, env, env.Stderr)
	if err != nil {
		return err
	}
	defer release()
	store, closeStore, err := openStore(ctx, *storeSpec)
	if err != nil {
		return err
	}
	defer closeStore()

	var engine *machine.Engine
	opts.OnLoginToken = func(id string) {
		go func() { _, _ = engine.Send(context.WithoutCancel(ctx), id, machine.LoginTokenScanned{}) }()
	}
	connector := mtproto.NewConnector(opts)
	defer connector.Close()
	var telegram tgapi.Connector = connector
	var observer machine.Observer
	if *tracePath != "" {
		f, err := os.Create(*tracePath)
		if err != nil {
			return err
		}
		defer f.Close()
		rec := replay.NewRecorder(f, replay.RecorderOptions{Settings: machine.SettingsOf(machine.Options{})})
		telegram, observer = rec.Connector(connector), rec
	}
	engine, err = machine.New(machine.Options{Store: store, Telegram: telegram, Observer: observer})
	if err != nil {
		return err
	}
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRun()
	go func() { _ = engine.Run(runCtx) }()

	snap, err := engine.Start(ctx, machine.StartOptions{Input: first})
	var inputErr *machine.InputError
	if errors.As(err, &inputErr) {
		return err
	}
	if snap.ID == "" {
		return err
	}
	fmt.Fprintf(env.Stdout, "login: %s\n", snap.ID)
	session := terminal.New(engine, terminalOptions(env))
	snap, err = session.Login(ctx, snap.ID)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return exitError{130}
	}
	var closed *terminal.Closed
	if errors.As(err, &closed) {
		return exitError{1}
	}
	return err
}

// terminalOptions sees whether the command runs on a terminal.
func terminalOptions(env Env) terminal.Options {
	opts := terminal.Options{In: env.Stdin, Out: env.Stdout}
	in, isFile := env.Stdin.(*os.File)
	out, outFile := env.Stdout.(*os.File)
	if isFile && outFile && term.IsTerminal(int(in.Fd())) && term.IsTerminal(int(out.Fd())) {
		opts.TTY = true
		opts.ReadPassword = func() (string, error) {
			b, err := term.ReadPassword(int(in.Fd()))
			return string(b), err
		}
	}
	return opts
}
