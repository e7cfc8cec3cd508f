package mautrix

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"maunium.net/go/mautrix/bridgev2"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/machine"
)

// Process is a bridgev2 login process over one tgauth login: a view of the stored login,
// which holds all its state. Two processes over one login (a restarted bridge, another
// front-end) see the same login; the engine lets one input at a time apply.
type Process struct {
	ls   *Logins
	user *bridgev2.User
	flow string

	mu sync.Mutex
	// id is the tgauth login; "" until Start starts one. CancelStep replaces it.
	id string
	// shown is the version of the login the last step returned was rendered from: Wait
	// returns once the login is past it.
	shown int64
	// done is the complete step, once Options.Complete made the UserLogin.
	done *bridgev2.LoginStep
}

// The bridgev2 interfaces a Process implements.
var (
	_ bridgev2.LoginProcessUserInput      = (*Process)(nil)
	_ bridgev2.LoginProcessDisplayAndWait = (*Process)(nil)
	_ bridgev2.LoginProcessStepCancel     = (*Process)(nil)
)

// cancelTimeout bounds the auth.cancelCode that Cancel makes, which has no context.
const cancelTimeout = time.Minute

// LoginID returns the ID of the tgauth login the process is a view of ("" before Start).
func (p *Process) LoginID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.id
}

// Start implements bridgev2.LoginProcess: a new login's first step (the phone or bot
// token field, or the QR code), or the step a continued login is at.
func (p *Process) Start(ctx context.Context) (*bridgev2.LoginStep, error) {
	if id := p.LoginID(); id != "" {
		snap, err := p.ls.opts.Engine.Resolve(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("mautrix: continue login %s: %w", id, err)
		}
		return p.step(ctx, snap)
	}
	return p.begin(ctx)
}

// begin starts a new login of the process's flow and points the process at it.
func (p *Process) begin(ctx context.Context) (*bridgev2.LoginStep, error) {
	var in machine.Input
	if p.flow == loginstep.FlowQR {
		in = machine.StartQR{}
	}
	snap, err := p.ls.opts.Engine.Start(ctx, machine.StartOptions{Input: in})
	if snap.ID == "" {
		return nil, fmt.Errorf("mautrix: start a %s login: %w", p.flow, err)
	}
	p.mu.Lock()
	p.id = snap.ID
	p.mu.Unlock()
	if err := p.ls.remember(ctx, p, snap.ID); err != nil {
		return nil, err
	}
	return p.settle(ctx, snap, err)
}

// SubmitUserInput implements bridgev2.LoginProcessUserInput: the values of the current
// step's fields (or {"action": NAME}, or an action's name as the first field's value).
// An input that did not get through (a wrong code or password, a value of the wrong
// shape, a flood wait) is no error: the answer is the step again, its instructions
// saying what went wrong, since bridgev2 ends a login on any error. A login that moved
// on meanwhile (another front-end, a timer) answers its step, nothing applied.
func (p *Process) SubmitUserInput(ctx context.Context, input map[string]string) (*bridgev2.LoginStep, error) {
	id := p.LoginID()
	if id == "" {
		return nil, errors.New("mautrix: SubmitUserInput before Start")
	}
	snap, err := p.ls.opts.Engine.Resolve(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("mautrix: login %s: %w", id, err)
	}
	st := loginstep.Of(p.flow, snap)
	if st.Type != loginstep.StepUserInput {
		return p.step(ctx, snap)
	}
	in, err := loginstep.InputFor(st.StepID, actionValue(st, input))
	if err != nil {
		return p.settle(ctx, snap, err)
	}
	snap, err = p.ls.opts.Engine.Send(ctx, id, in)
	return p.settle(ctx, snap, err)
}

// settle answers the step snap is at after an input that ended in err: the step, with
// what went wrong in its instructions, or err itself when no step can follow.
func (p *Process) settle(ctx context.Context, snap machine.Snapshot, err error) (*bridgev2.LoginStep, error) {
	if err == nil || errors.Is(err, machine.ErrRefused) { // a refusal is on the snapshot's prompt
		return p.step(ctx, snap)
	}
	var (
		input *machine.InputError
		state *machine.NotAllowedError
		busy  *machine.BusyError
		flood *machine.FloodWaitError
	)
	if snap.ID == "" || !(errors.As(err, &input) || errors.As(err, &state) || errors.As(err, &busy) ||
		errors.As(err, &flood) || errors.Is(err, machine.ErrConflict)) {
		return nil, fmt.Errorf("mautrix: login %s: %w", snap.ID, err)
	}
	snap.Prompt.Problem = nil // an earlier input's: err is this one's
	out, stepErr := p.step(ctx, snap)
	if stepErr != nil {
		return nil, stepErr
	}
	if out.Type != bridgev2.LoginStepTypeComplete {
		out.Instructions = sentence(err.Error()) + " " + out.Instructions
	}
	return out, nil
}

// sentence makes an error's text a sentence.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.TrimSuffix(s[1:], ".") + "."
}

// Wait implements bridgev2.LoginProcessDisplayAndWait: it returns once the login is past
// the step last returned, with the step it is at then: the refreshed QR code, the password
// after a QR scan, the complete step. Telegram calls in flight are waited through, not
// returned. It returns bridgev2.ErrLoginStepCancelled when bridgev2 cancels the step, and
// the context's error when the bridge stops waiting; the login is left as it is (Cancel
// ends it).
func (p *Process) Wait(ctx context.Context) (*bridgev2.LoginStep, error) {
	p.mu.Lock()
	id, shown := p.id, p.shown
	p.mu.Unlock()
	if id == "" {
		return nil, errors.New("mautrix: Wait before Start")
	}
	watch, stop := context.WithCancel(ctx) // ends the watch when Wait returns early
	defer stop()
	var last machine.Snapshot
	for snap := range p.ls.opts.Engine.Watch(watch, id) {
		last = snap
		if snap.Version != shown && snap.Prompt.Kind != machine.Wait && !(snap.Prompt.Kind == machine.ShowQR && snap.Prompt.QR == nil) {
			return p.step(ctx, snap)
		}
	}
	if ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), bridgev2.ErrLoginStepCancelled) {
			return nil, bridgev2.ErrLoginStepCancelled
		}
		return nil, ctx.Err()
	}
	if last.ID == "" {
		return nil, fmt.Errorf("mautrix: login %s cannot be read", id)
	}
	return p.step(ctx, last) // final: Watch sent it and closed
}

// CancelStep implements bridgev2.LoginProcessStepCancel: going back from a step after
// the first. A login has no way back (Telegram's code, once sent, is the login's), so
// going back cancels the login (auth.cancelCode for a sent code) and starts a new one of
// the same flow, whose first step is the answer: the phone number again, say, after a
// typo in it.
func (p *Process) CancelStep(ctx context.Context) (*bridgev2.LoginStep, error) {
	if err := p.cancel(ctx); err != nil {
		return nil, err
	}
	return p.begin(ctx)
}

// Cancel implements bridgev2.LoginProcess: it cancels the login (auth.cancelCode when a
// code was sent), and forgets it as the user's login in progress. bridgev2 calls it when
// the user cancels and when a login process fails or times out; not when the bridge
// stops, so a restart keeps the login.
func (p *Process) Cancel() {
	ctx, cancel := context.WithTimeout(context.Background(), cancelTimeout)
	defer cancel()
	if err := p.cancel(ctx); err != nil {
		p.user.Log.Warn().Err(err).Str("login_id", p.LoginID()).Msg("tgauth login not cancelled")
	}
}

// cancel cancels the process's login, if it has one that takes a cancel, and forgets it.
func (p *Process) cancel(ctx context.Context) error {
	id := p.LoginID()
	if id == "" {
		return nil
	}
	snap, err := p.ls.opts.Engine.Send(ctx, id, machine.Cancel{})
	var state *machine.NotAllowedError
	if err != nil && !errors.As(err, &state) && !errors.Is(err, machine.ErrRefused) {
		return fmt.Errorf("mautrix: cancel login %s: %w", id, err)
	}
	if snap.Prompt.Kind == machine.ShowDone {
		return nil // logged in already: that is the bridge's UserLogin to log out
	}
	return p.ls.forget(ctx, p)
}

// step converts the step snap is at, creating the UserLogin when it is complete, and
// records it as the one shown.
func (p *Process) step(ctx context.Context, snap machine.Snapshot) (*bridgev2.LoginStep, error) {
	st := loginstep.Of(p.flow, snap)
	if st.Type == loginstep.StepComplete {
		return p.complete(ctx, snap, st)
	}
	out, err := convert(st)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.shown = snap.Version
	p.mu.Unlock()
	return out, nil
}

// complete hands the authorized login to Options.Complete, once per process.
func (p *Process) complete(ctx context.Context, snap machine.Snapshot, st loginstep.Step) (*bridgev2.LoginStep, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done != nil {
		return p.done, nil
	}
	out, err := convert(st)
	if err != nil {
		return nil, err
	}
	if st.Complete.User == nil {
		return nil, fmt.Errorf("mautrix: login %s is authorized as no known account", snap.ID)
	}
	session, err := p.ls.opts.Engine.Session(ctx, snap.ID)
	if err != nil {
		return nil, fmt.Errorf("mautrix: the session of login %s: %w", snap.ID, err)
	}
	done := Done{User: p.user, Flow: p.flow, LoginID: snap.ID, Account: *st.Complete.User,
		UserLoginID: out.CompleteParams.UserLoginID, DC: snap.DC, Session: session}
	ul, err := p.ls.opts.Complete(ctx, done)
	if err != nil {
		return nil, fmt.Errorf("mautrix: create the user login of login %s: %w", snap.ID, err)
	}
	if err := p.ls.forget(ctx, p); err != nil {
		return nil, err
	}
	out.CompleteParams.UserLogin = ul
	if ul != nil {
		out.CompleteParams.UserLoginID = ul.ID
	}
	p.done, p.shown = out, snap.Version
	return out, nil
}
