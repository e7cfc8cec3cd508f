package machine

import (
	"context"
	"fmt"

	"github.com/tgauth/tgauth/states"
	tr "github.com/tgauth/tgauth/transitions"
)

// recover resolves a login found in an in-flight state whose lease lapsed: the process
// that made the call stopped before it wrote the outcome. The state's recovery rule (see
// package states) says what happens: when it checks the session, Telegram is asked who the
// session is authorized as; otherwise, or when it is not, the login goes back to the state
// that awaits the same input. On success l holds the recovered login.
func (e *Engine) recover(ctx context.Context, l *Login) error {
	info, _ := states.Lookup(l.State)
	ifAuthorized, otherwise := tr.RecoveryEvents(l.State)
	out := outcome{event: otherwise,
		note: fmt.Sprintf("the answer to %s was lost (the engine stopped during the call)", info.Call)}
	if info.Recovery.CheckAuthorized {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.CallTimeout)
		defer cancel()
		api, err := e.connect(cctx, l)
		if err != nil {
			return fmt.Errorf("recover login %s: %w", l.ID, err)
		}
		u, err := api.Self(cctx)
		if dc := api.DC(); dc != 0 {
			l.DC = dc // the call may have moved the session (auth.importLoginToken on another DC)
		}
		switch {
		case err == nil && ifAuthorized == tr.SignedIn:
			out = e.signedIn(&u)
		case err == nil:
			out.event, out.note = ifAuthorized, fmt.Sprintf("%s; the session is still authorized", out.note)
		case !isUnauthorized(err):
			return fmt.Errorf("recover login %s: ask Telegram whether the session is authorized: %w", l.ID, err)
		}
	}
	if out.event == tr.Interrupted {
		out.apply = func(l *Login) {
			if l.State == states.ExportingQR || l.State == states.ImportingQR {
				e.pollNow(l)
			}
		}
	}
	e.observe(func(o Observer) { o.Timer(l.ID, string(out.event)) })
	_, err := e.settle(ctx, l, out)
	return err
}
