package chat_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/drivers/chat"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

// world holds the accounts the tests use, beyond the implicit 99966XYYYY ones.
var world = testdc.World{Accounts: []testdc.Account{
	{Phone: "9996620001", Password: "hunter2", Hint: "the usual", RecoveryEmail: "alice@example.org"},
	{Phone: "9996620003", Registered: new(false)},
	{Phone: "9996620007", CodeType: "setup_email_required"},
}}

// host is a chat host over an engine over a test DC: it sends messages to a Bot as one
// user in one room and keeps what the Bot said.
type host struct {
	t      *testing.T
	ctx    context.Context
	dc     *testdc.DC
	store  machine.Store
	engine *machine.Engine
	bot    *chat.Bot
	conn   *mtproto.Connector

	// now is the clock of the engine and the test DC (time.Now unless the test set it).
	now func() time.Time

	room, user string
	members    int
	n          int
	// updates gets what the Bot's followers notify.
	updates chan chat.Update
	// said is every reply text, to look for secrets in.
	said []string
}

// newHost starts a test DC (with dcOpts' world defaulting to world) and a Bot with opts
// in a private room; the engine's clock is the test DC's (dcOpts.Now).
func newHost(t *testing.T, opts chat.Options, dcOpts testdc.Options) *host {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	if d, ok := t.Deadline(); ok && d.After(deadline) {
		deadline = d
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	t.Cleanup(cancel)
	if dcOpts.World.Accounts == nil {
		dcOpts.World = world
	}
	if dcOpts.Now == nil {
		dcOpts.Now = time.Now
	}
	dc, err := testdc.Start(ctx, dcOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dc.Close() })
	h := &host{t: t, ctx: ctx, dc: dc, store: memory.New(), now: dcOpts.Now, room: "!room", user: "@alice", members: 2,
		updates: make(chan chat.Update, 16)}
	h.restart(opts)
	return h
}

// restart builds a new engine and Bot over the same store and test DC, as a restarted
// host does.
func (h *host) restart(opts chat.Options) {
	h.t.Helper()
	cfg := h.dc.Config()
	keys, err := cfg.PublicKeys()
	if err != nil {
		h.t.Fatal(err)
	}
	conn := mtproto.NewConnector(mtproto.Options{AppID: 1, AppHash: "chat", DCList: cfg.DCList(), PublicKeys: keys,
		Resolver: cfg.Resolver()})
	h.t.Cleanup(func() { _ = conn.Close() })
	h.engine, err = machine.New(machine.Options{Store: h.store, Telegram: conn, Now: h.now, Tick: 50 * time.Millisecond})
	if err != nil {
		h.t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(h.ctx)
	done := make(chan struct{})
	engine := h.engine
	go func() { defer close(done); _ = engine.Run(runCtx) }()
	h.t.Cleanup(func() { stop(); <-done })
	over := make(chan struct{})
	if opts.Notify == nil {
		opts.Notify = func(u chat.Update) {
			select {
			case h.updates <- u:
			case <-over: // the test is over: nobody reads
			}
		}
	}
	h.bot = chat.New(h.engine, opts)
	h.t.Cleanup(h.bot.Close)
	h.t.Cleanup(func() { close(over) }) // before Close, which waits for Notify to return
}

// say sends text as the next message and returns the replies, joined, and the IDs of the
// messages to delete.
func (h *host) say(text string) (string, []string) {
	h.t.Helper()
	h.n++
	replies, err := h.bot.Handle(h.ctx, chat.Message{Room: h.room, User: h.user, ID: id(h.n), Text: text, Members: h.members})
	if err != nil {
		h.t.Fatalf("message %d %q: %v", h.n, text, err)
	}
	var texts []string
	var del []string
	for _, r := range replies {
		if r.Text == "" {
			h.t.Errorf("message %d %q: an empty reply", h.n, text)
		}
		texts = append(texts, r.Text)
		del = append(del, r.Delete...)
	}
	out := strings.Join(texts, "\n")
	h.said = append(h.said, out)
	return out, del
}

// expect sends text and checks that the replies contain want (each) and what is deleted:
// this message or nothing.
func (h *host) expect(text string, deleted bool, want ...string) string {
	h.t.Helper()
	out, del := h.say(text)
	for _, w := range want {
		if !strings.Contains(out, w) {
			h.t.Fatalf("message %d %q: reply\n%s\ndoes not say %q", h.n, text, out, w)
		}
	}
	switch {
	case deleted && (len(del) != 1 || del[0] != id(h.n)):
		h.t.Fatalf("message %d %q: deletes %v, want this message deleted", h.n, text, del)
	case !deleted && len(del) != 0:
		h.t.Fatalf("message %d %q: deletes %v, want nothing deleted", h.n, text, del)
	}
	return out
}

// state returns the conversation's login's state.
func (h *host) state() machine.State {
	h.t.Helper()
	snap, ok, err := h.bot.Login(h.ctx, h.room, h.user)
	if err != nil || !ok {
		h.t.Fatalf("the conversation has no login: %v", err)
	}
	return snap.State
}

// update waits for the next notified reply.
func (h *host) update() chat.Reply {
	h.t.Helper()
	select {
	case u := <-h.updates:
		if u.Room != h.room || u.User != h.user {
			h.t.Fatalf("an update for %s/%s, want %s/%s", u.Room, u.User, h.room, h.user)
		}
		h.said = append(h.said, u.Text)
		return u.Reply
	case <-h.ctx.Done():
		h.t.Fatal("no update before the test's deadline")
	}
	return chat.Reply{}
}

// noSecret fails if any reply so far repeated secret.
func (h *host) noSecret(secret string) {
	h.t.Helper()
	for _, s := range h.said {
		if strings.Contains(s, secret) {
			h.t.Fatalf("a reply repeats the secret %q:\n%s", secret, s)
		}
	}
}

func id(n int) string { return "m" + strconv.Itoa(n) }
