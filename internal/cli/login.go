package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	"golang.org/x/term"

	"github.com/tgauth/tgauth/drivers/steps"
	"github.com/tgauth/tgauth/drivers/terminal"
	"github.com/tgauth/tgauth/machine"
)

func init() {
	register("login", command{
		summary: "Log in interactively: a phone number and its code (and 2FA password), a bot token, or a QR\n" +
			"code scanned with a logged-in app. With no Telegram named it uses an embedded test DC.\n" +
			"Reads plain lines (at most 4096 bytes each) when stdin is not a terminal, e.g.\n" +
			"echo -e '+9996621234\\n22222' | tgauth login. Ctrl-C lets the call in flight finish, then\n" +
			"cancels the code (auth.cancelCode) and exits 130.\n" +
			"With --web the login is handed to a running 'tgauth serve' on the same store and Telegram:\n" +
			"it is started (with --phone, --bot-token or --qr if given), its capability link is printed\n" +
			"for the person to finish it on the login page, and the command exits.",
		usage: "login [--phone P | --bot-token T | --qr [--except-ids IDS]] [--json] [--store SPEC] [--trace FILE] [--telegram testdc:FILE | --api-id N --api-hash H [--test-dc]] [--world FILE] [--web [--server URL] [--api-token-file FILE]]",
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
	var exceptIDs string
	exceptIDsFlag(fs, &exceptIDs)
	asJSON := fs.Bool("json", false, "print the login's last snapshot as one JSON object on stdout; the prompts go to stderr")
	toWeb := fs.Bool("web", false, "hand the login to the login page of a running 'tgauth serve': print its capability link and exit")
	var sf serverFlags
	sf.register(fs)
	if pos, err := parseArgs(fs, args); err != nil || len(pos) != 0 {
		return usageErr(fs, err)
	}
	result := env // where the result goes; the prompts go to what env becomes
	if *asJSON {
		env.Stdout = env.Stderr
	}
	first, err := firstInput(*phone, *botToken, *qr, exceptIDs)
	if err != nil {
		return err
	}
	if *toWeb {
		return loginOnWeb(ctx, result, ef, sf, first, *asJSON)
	}
	// With nothing to send yet, the key exchange for the first DC runs while the person
	// types the phone.
	r, err := ef.start(ctx, env, engineUse{store: starting, embedded: true, scheduler: true, warmKey: first == nil})
	if err != nil {
		return err
	}
	defer r.close()

	snap, err := r.engine.Start(ctx, machine.StartOptions{})
	if err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, steps.Heading(snap.ID))
	if first != nil {
		next, err := r.engine.Send(ctx, snap.ID, first)
		if err != nil && !errors.Is(err, machine.ErrRefused) {
			fmt.Fprintf(env.Stdout, "%v\n", err) // the terminal asks again
		}
		if next.ID != "" {
			snap = next
		}
		if ctx.Err() != nil {
			return interrupted(env, cancelLogin(r.engine, snap))
		}
	}
	snap, err = terminal.New(r.engine, terminalOptions(env)).Login(ctx, snap.ID)
	if *asJSON && snap.ID != "" {
		if perr := printJSON(result, snap); perr != nil {
			return perr
		}
	}
	var closed *terminal.Closed
	switch {
	case err == nil:
		if !isMemory(storeSpec(env, ef.store)) && !*asJSON {
			printNext(env, nextCommands(snap, ef.reach()))
		}
		return nil
	case errors.Is(err, context.Canceled):
		return interrupted(env, snap)
	case errors.As(err, &closed):
		return exitError{exitRefused}
	}
	return err
}

// loginOnWeb starts a login in the store a running 'tgauth serve' shares, sends first
// (if any), and prints the serve's capability link to the login, so that the person
// finishes it on the page. The serve's scheduler runs the login's timers from then on.
func loginOnWeb(ctx context.Context, env Env, ef engineFlags, sf serverFlags, first machine.Input, asJSON bool) error {
	r, err := ef.start(ctx, env, engineUse{store: starting})
	if errors.Is(err, errNoTelegram) {
		return fmt.Errorf("login --web hands the login to a running 'tgauth serve': give the same --telegram as the serve (%w)", err)
	}
	if err != nil {
		return err
	}
	defer r.close()
	// A refused first input (a number Telegram rejects) leaves the login to the page.
	snap, err := r.engine.Start(ctx, machine.StartOptions{Input: first})
	if snap.ID == "" || (err != nil && !errors.Is(err, machine.ErrRefused)) {
		return err
	}
	link, err := sf.link(ctx, env, snap.ID)
	if err != nil {
		return fmt.Errorf("login %s is %s, but it has no link: %w", snap.ID, snap.State, err)
	}
	if asJSON {
		return printJSON(env, struct {
			machine.Snapshot
			Link string `json:"link"`
		}{snap, link})
	}
	fmt.Fprintf(env.Stdout, "login: %s\nstate: %s\nlink: %s\n", snap.ID, snap.State, link)
	fmt.Fprintln(env.Stdout, "Open the link to finish the login on the page; the login stays in the store until then.")
	return nil
}

// cancelLogin gives up on a login interrupted before the terminal took it over, as the
// terminal does on Ctrl-C: a login that accepts cancel is cancelled (auth.cancelCode where
// a code is outstanding), on a bounded context of its own since the command's is done.
func cancelLogin(e *machine.Engine, snap machine.Snapshot) machine.Snapshot {
	if !slices.Contains(snap.Prompt.Accepts, machine.Cancel{}.Event()) {
		return snap
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if next, err := e.Send(ctx, snap.ID, machine.Cancel{}); next.ID != "" && err == nil {
		return next
	}
	return snap
}

// interrupted ends an interrupted login command: exit status 130, saying where the
// login was left.
func interrupted(env Env, snap machine.Snapshot) error {
	if snap.ID != "" {
		fmt.Fprintf(env.Stderr, "tgauth login: interrupted; login %s is %s\n", snap.ID, snap.State)
	}
	return exitError{exitInterrupted}
}

// exceptIDsFlag defines --except-ids, the users a QR login must not log in again.
func exceptIDsFlag(fs *flag.FlagSet, ids *string) {
	fs.StringVar(ids, "except-ids", "", "with a QR code: the `IDS` of users already logged in (comma-separated), who may not log in again")
}

// firstInput is the input --phone, --bot-token or --qr (with --except-ids) asks for; nil
// when none is given.
func firstInput(phone, botToken string, qr bool, exceptIDs string) (machine.Input, error) {
	n := 0
	for _, set := range []bool{phone != "", botToken != "", qr} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return nil, errors.New("give at most one of --phone, --bot-token and --qr")
	case exceptIDs != "" && !qr:
		return nil, errors.New("--except-ids goes with --qr: it names the users a QR login must not log in again")
	case phone != "":
		return machine.SubmitPhone{Phone: phone}, nil
	case botToken != "":
		return machine.SubmitBotToken{Token: botToken}, nil
	case qr:
		ids, err := machine.ParseIDs(exceptIDs)
		return machine.StartQR{ExceptIDs: ids}, err
	}
	return nil, nil
}

// terminalOptions sees whether the command runs on a terminal: then the terminal driver
// takes stdin and stdout as they are (the terminal's line discipline bounds a line);
// else it reads lines of at most maxLine bytes.
func terminalOptions(env Env) terminal.Options {
	in, inFile := env.Stdin.(*os.File)
	out, outFile := env.Stdout.(*os.File)
	if inFile && outFile && term.IsTerminal(int(in.Fd())) && term.IsTerminal(int(out.Fd())) {
		return terminal.Options{In: in, Out: out, TTY: true}
	}
	return terminal.Options{In: boundedLines(env.Stdin), Out: env.Stdout}
}
