package mautrix

import (
	"context"
	"errors"
	"fmt"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/networkid"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/machine"
)

// Options configure Logins. Engine and Complete are required.
type Options struct {
	// Engine runs the logins. The bridge also runs Engine.Run for as long as it runs: it
	// refreshes QR codes, expires logins and recovers calls a crash interrupted.
	Engine *machine.Engine
	// Complete turns an authorized login into the bridge's UserLogin, typically with
	// done.User.NewLogin, keeping done.Session in the login's metadata for the bridge's
	// gotd client. It is called when a process reaches the complete step, again if a
	// process reaches it anew after an error (bridgev2's NewLogin reuses an existing ID).
	Complete func(ctx context.Context, done Done) (*bridgev2.UserLogin, error)
	// Pending remembers which login a bridge user has in progress in each flow, so that
	// CreateLogin continues it after a restart (KV keeps it in the bridge's database).
	// nil: nothing is remembered, and every CreateLogin starts a new login.
	Pending Pending
}

// Done is an authorized login, handed to Options.Complete.
type Done struct {
	// User is the bridge user who logged in; Flow the flow they chose.
	User *bridgev2.User
	Flow string
	// LoginID is the tgauth login's ID (machine.Engine.Get, Journal).
	LoginID string
	// Account is the Telegram account (a bot when Account.Bot); UserLoginID is its ID
	// as the complete step names it.
	Account     machine.User
	UserLoginID networkid.UserLoginID
	// DC is the data center the session lives on.
	DC int
	// Session is the authorized MTProto session as gotd's session JSON (what
	// machine.Engine.Session returns): load it with gotd's session.StorageMemory
	// (StoreSession) as telegram.Options.SessionStorage, or decode it with
	// session.Loader into the auth key, DC and address a bridge keeps. It holds the
	// account's auth key: keep it as secret as a password.
	Session []byte
}

// Logins makes bridgev2 LoginProcesses over one engine: the part of a bridge connector's
// GetLoginFlows (Flows) and CreateLogin (Create).
type Logins struct {
	opts Options
}

// New returns Logins over opts.
func New(opts Options) (*Logins, error) {
	if opts.Engine == nil || opts.Complete == nil {
		return nil, errors.New("mautrix: Options.Engine and Options.Complete are required")
	}
	return &Logins{opts: opts}, nil
}

// Create returns the login process of user in flow, for a connector's CreateLogin. When
// Pending remembers an unfinished login of user in flow, the process continues it: its
// Start returns the step that login is at. Otherwise (or when that login is over, or was
// started on another Telegram than the engine's) Start starts a new login.
func (ls *Logins) Create(ctx context.Context, user *bridgev2.User, flow string) (bridgev2.LoginProcess, error) {
	if !knownFlow(flow) {
		return nil, fmt.Errorf("mautrix: no login flow %q; the flows are those of Flows()", flow)
	}
	p := &Process{ls: ls, user: user, flow: flow}
	if ls.opts.Pending == nil {
		return p, nil
	}
	id, err := ls.opts.Pending.Load(ctx, user.MXID, flow)
	if err != nil {
		return nil, fmt.Errorf("mautrix: the login %s has in progress: %w", user.MXID, err)
	}
	if id == "" {
		return p, nil
	}
	snap, err := ls.opts.Engine.Resolve(ctx, id)
	var elsewhere *machine.WrongTelegramError
	if errors.Is(err, machine.ErrNotFound) || errors.As(err, &elsewhere) ||
		(err == nil && snap.Prompt.Kind == machine.ShowClosed) {
		// Over, gone with its store, or of another Telegram than the bridge's now: a new
		// login it is.
		return p, ls.forget(ctx, p)
	}
	if err != nil {
		return nil, fmt.Errorf("mautrix: the login %s has in progress: %w", user.MXID, err)
	}
	p.id = id
	return p, nil
}

// Continue returns a process over an existing login, whatever started it (the web page,
// a chat, the CLI): its Start returns the step that login is at. flow names the flow it
// is shown as ("" for any).
func (ls *Logins) Continue(user *bridgev2.User, flow, loginID string) *Process {
	return &Process{ls: ls, user: user, flow: flow, id: loginID}
}

func knownFlow(flow string) bool {
	for _, f := range loginstep.Flows {
		if f.ID == flow {
			return true
		}
	}
	return false
}

// remember records p's login as the one its user has in progress in its flow.
func (ls *Logins) remember(ctx context.Context, p *Process, id string) error {
	if ls.opts.Pending == nil || p.flow == "" {
		return nil
	}
	if err := ls.opts.Pending.Save(ctx, p.user.MXID, p.flow, id); err != nil {
		return fmt.Errorf("mautrix: remember login %s of %s: %w", id, p.user.MXID, err)
	}
	return nil
}

// forget drops the record of p's user's login in progress in p's flow.
func (ls *Logins) forget(ctx context.Context, p *Process) error {
	if ls.opts.Pending == nil || p.flow == "" {
		return nil
	}
	if err := ls.opts.Pending.Forget(ctx, p.user.MXID, p.flow); err != nil {
		return fmt.Errorf("mautrix: forget the login of %s: %w", p.user.MXID, err)
	}
	return nil
}
