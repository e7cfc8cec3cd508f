package cli

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/tgauth/tgauth/drivers/chat"
)

func init() {
	register("chat", command{
		summary: "Talk to the chat bot (package drivers/chat) over stdin and stdout, as one user in one room:\n" +
			"each line is a message, numbered 1, 2, ...; the replies are printed, a message the bot asks to\n" +
			"delete (it carried a code, a password or a token) as [delete: message N], and a QR code is\n" +
			"written to a PNG file in --images, printed as [image: PATH]. Send help for the commands. The\n" +
			"conversation is kept in the store: run it again to go on. 'login ID' continues a login started\n" +
			"by another command. After the last line it waits while a QR code is shown or a call is in flight.\n" +
			"With --server (or $TGAUTH_SERVER), the bot offers the web page of a login, a link minted by\n" +
			"that running 'tgauth serve' (on the same store), where it asks for a code or a password.",
		usage: "chat [--room R] [--user U] [--members N] [--telegram-chat] [--images DIR] [--server URL [--api-token-file FILE]] [--store SPEC] " + telegramUsage,
		run:   runChat,
	})
}

func runChat(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "chat")
	var ef engineFlags
	ef.register(fs)
	room := fs.String("room", "terminal", "the `ROOM` the messages are sent in: with --user, it names the conversation")
	user := fs.String("user", "", "the `USER` who sends them (default $USER)")
	members := fs.Int("members", 2, "how many members the room has, the user and the bot included; with more than 2 the bot takes no secret")
	inTelegram := fs.Bool("telegram-chat", false, "the room is a Telegram chat: the bot asks for codes with spaces between the digits")
	images := fs.String("images", ".", "write QR codes to PNG files in `DIR`")
	var sf serverFlags
	sf.register(fs)
	fs.Lookup("server").Usage = "the `URL` of a running 'tgauth serve' on the same store, whose login pages the bot offers (default $TGAUTH_SERVER; with neither, no links)"
	if pos, err := parseArgs(fs, args); err != nil || len(pos) != 0 {
		return usageErr(fs, err)
	}
	opts := chat.Options{TelegramChat: *inTelegram, Adopt: true}
	if sf.server != "" || env.Getenv("TGAUTH_SERVER") != "" { // no link to a server nobody named
		if _, err := apiToken(env, sf.tokenFile); err != nil {
			return err // a bad --api-token-file is said now, not at the first link
		}
		opts.Link = func(ctx context.Context, id string) (string, error) { return sf.link(ctx, env, id) }
	}
	spec := storeSpec(env, ef.store)
	r, err := ef.start(ctx, env, engineUse{store: starting, embedded: isMemory(spec), scheduler: true})
	if errors.Is(err, errNoTelegram) {
		return fmt.Errorf("store %s keeps the conversation after this process, but an embedded test DC would end with it: %w (or use --store memory:)", spec, err)
	}
	if err != nil {
		return err
	}
	defer r.close()

	out := &chatOutput{w: env.Stdout, dir: *images}
	opts.Notify = func(u chat.Update) { out.print([]chat.Reply{u.Reply}) }
	bot := chat.New(r.engine, opts)
	defer bot.Close()
	msg := chat.Message{Room: *room, User: cmp.Or(*user, env.Getenv("USER"), "you"), Members: *members}
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() { // a read is not interruptible: Ctrl-C leaves it behind
		s := bufio.NewScanner(boundedLines(env.Stdin))
		for s.Scan() {
			select {
			case lines <- s.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- s.Err()
	}()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return exitError{exitInterrupted}
		case err := <-readErr:
			if err != nil {
				return fmt.Errorf("read stdin: %w", err)
			}
			if bot.Wait(ctx) != nil {
				return exitError{exitInterrupted}
			}
			return nil
		case line := <-lines:
			msg.ID, msg.Text = strconv.Itoa(n), line
			replies, err := bot.Handle(ctx, msg)
			if err != nil {
				return err
			}
			out.print(replies)
		}
	}
}

// chatOutput prints replies, from the messages and from the bot's followers, one at a time.
type chatOutput struct {
	w   io.Writer
	dir string

	mu     sync.Mutex
	images int
}

// print prints replies: the text, the image's file, the messages to delete.
func (o *chatOutput) print(replies []chat.Reply) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, r := range replies {
		fmt.Fprintln(o.w, r.Text)
		if r.Image != nil {
			if path, err := o.image(r.Image); err != nil {
				fmt.Fprintf(o.w, "[image not written: %v]\n", err)
			} else {
				fmt.Fprintf(o.w, "[image: %s]\n", path)
			}
		}
		for _, id := range r.Delete {
			fmt.Fprintf(o.w, "[delete: message %s]\n", id)
		}
	}
}

// image writes a PNG to the next file qr-N.png, readable by its owner only: a QR code
// is a login token.
func (o *chatOutput) image(png []byte) (string, error) {
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return "", fmt.Errorf("--images: %w", err)
	}
	o.images++
	path := filepath.Join(o.dir, fmt.Sprintf("qr-%d.png", o.images))
	if err := os.WriteFile(path, png, 0o600); err != nil {
		return "", fmt.Errorf("--images: %w", err)
	}
	return path, nil
}
