package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/tgauth/tgauth/drivers/terminal"
	"github.com/tgauth/tgauth/machine"
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
	var ef engineFlags
	ef.register(fs)
	phone := fs.String("phone", "", "start with this phone number")
	botToken := fs.String("bot-token", "", "log in as the bot with this token")
	qr := fs.Bool("qr", false, "log in by scanning a QR code")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		if err == nil {
			fs.Usage()
		}
		return errUsage
	}
	first, err := firstInput(*phone, *botToken, *qr)
	if err != nil {
		return err
	}
	r, err := ef.start(ctx, env, true)
	if err != nil {
		return err
	}
	defer r.close()

	snap, err := r.engine.Start(ctx, machine.StartOptions{Input: first})
	if snap.ID == "" {
		return err
	}
	fmt.Fprintf(env.Stdout, "login: %s\n", snap.ID)
	_, err = terminal.New(r.engine, terminalOptions(env)).Login(ctx, snap.ID)
	var closed *terminal.Closed
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return exitError{130}
	case errors.As(err, &closed):
		return exitError{1}
	}
	return err
}

// firstInput is the input --phone, --bot-token or --qr asks for; nil when none is given.
func firstInput(phone, botToken string, qr bool) (machine.Input, error) {
	n := 0
	for _, set := range []bool{phone != "", botToken != "", qr} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return nil, errors.New("give at most one of --phone, --bot-token and --qr")
	case phone != "":
		return machine.SubmitPhone{Phone: phone}, nil
	case botToken != "":
		return machine.SubmitBotToken{Token: botToken}, nil
	case qr:
		return machine.StartQR{}, nil
	}
	return nil, nil
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
