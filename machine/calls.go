package machine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
	tr "github.com/tgauth/tgauth/transitions"
)

// outcome is what one Telegram call came to: the table event to fire, and what to change
// on the record when it is applied.
type outcome struct {
	event Event
	apply func(l *Login)
	// note is the reason, in words, when the call did not get through. Never a secret.
	note string
	tg   *tgapi.Error
	// retry is, for a flood wait, the event whose input Telegram asked to hold back.
	retry Event
}

// successes are the outcomes by which an input got through; every other outcome makes
// Send return a *RefusedError.
var successes = map[Event]bool{tr.CodeSentEv: true, tr.SignedIn: true, tr.SignUpNeeded: true,
	tr.PasswordNeeded: true, tr.EmailNeeded: true, tr.EmailCodeSentEv: true, tr.RecoverySent: true,
	tr.QRToken: true, tr.QRMigrate: true, tr.Done: true}

func ok(ev Event, apply func(l *Login)) outcome { return outcome{event: ev, apply: apply} }

// sessions binds a login's MTProto session to the store.
type sessions struct {
	store Store
	id    string
}

func (s sessions) LoadSession(ctx context.Context) ([]byte, error) {
	return s.store.LoadSession(ctx, s.id)
}

func (s sessions) StoreSession(ctx context.Context, data []byte) error {
	return s.store.StoreSession(ctx, s.id, data)
}

// connect returns the API bound to l's session.
func (e *Engine) connect(ctx context.Context, l *Login) (tgapi.API, error) {
	api, err := e.opts.Telegram.Connect(ctx, l.ID, sessions{e.opts.Store, l.ID})
	if err != nil {
		return nil, fmt.Errorf("connect to Telegram: %w", err)
	}
	return api, nil
}

// call makes the one Telegram call of l's in-flight state, with the driver's input in
// (nil when the state was entered by a timer or a previous call), and maps the answer.
// The caller's cancellation does not abandon the call: its answer matters either way.
func (e *Engine) call(ctx context.Context, l *Login, in Input) outcome {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.CallTimeout)
	defer cancel()
	api, err := e.connect(ctx, l)
	if err != nil {
		return e.failed(l, err)
	}
	out := e.callState(ctx, api, l, in)
	if dc := api.DC(); dc != 0 {
		l.DC = dc
	}
	return out
}

func (e *Engine) callState(ctx context.Context, api tgapi.API, l *Login, in Input) outcome {
	ref := tgapi.CodeRef{Phone: l.Phone, PhoneCodeHash: l.PhoneCodeHash}
	switch l.State {
	case states.SendingCode:
		tokens, err := e.opts.Store.LogoutTokens(ctx, l.Phone)
		if err != nil {
			return e.failed(l, fmt.Errorf("read logout tokens: %w", err))
		}
		res, err := api.SendCode(ctx, tgapi.SendCodeRequest{Phone: l.Phone, LogoutTokens: tokens})
		if err != nil {
			return e.failed(l, err, e.passwordNeeded(ctx, api))
		}
		return e.codeResult(ctx, api, res)

	case states.ResendingCode:
		code, err := api.ResendCode(ctx, ref)
		if err != nil {
			return e.failed(l, err, codeExpired("PHONE_CODE_EXPIRED", "PHONE_CODE_HASH_EMPTY"))
		}
		return e.codeSent(code)

	case states.CheckingCode:
		code, isCode := in.(SubmitCode)
		if !isCode {
			return lost
		}
		viaEmail := l.Code != nil && l.Code.Type == tgapi.CodeEmail
		auth, err := api.SignIn(ctx, tgapi.SignInRequest{CodeRef: ref, Code: strings.TrimSpace(code.Code), ViaEmail: viaEmail})
		if err != nil {
			return e.failed(l, err, e.passwordNeeded(ctx, api),
				e.wrong(tr.CodeInvalid, "PHONE_CODE_INVALID", "PHONE_CODE_EMPTY"),
				codeExpired("PHONE_CODE_EXPIRED"))
		}
		if auth.SignUpRequired != nil {
			terms := *auth.SignUpRequired
			return ok(tr.SignUpNeeded, func(l *Login) { l.Terms, l.Attempts = &terms, 0 })
		}
		return e.signedIn(auth.User)

	case states.SigningUp:
		su, isSignUp := in.(SubmitSignUp)
		if !isSignUp {
			return lost
		}
		u, err := api.SignUp(ctx, tgapi.SignUpRequest{CodeRef: ref, FirstName: strings.TrimSpace(su.FirstName), LastName: strings.TrimSpace(su.LastName)})
		if err != nil {
			return e.failed(l, err, codeExpired("PHONE_CODE_EXPIRED"))
		}
		return e.signedIn(&u)

	case states.CheckingPassword:
		pw, isPassword := in.(SubmitPassword)
		if !isPassword {
			return lost
		}
		u, err := api.CheckPassword(ctx, pw.Password)
		if err != nil {
			return e.failed(l, err, e.wrong(tr.PasswordInvalid, "PASSWORD_HASH_INVALID"))
		}
		return e.signedIn(&u)

	case states.RequestingRecovery:
		rec, err := api.RequestPasswordRecovery(ctx)
		if err != nil {
			return e.failed(l, err)
		}
		return ok(tr.RecoverySent, func(l *Login) { l.RecoveryEmail, l.Attempts = rec.EmailPattern, 0 })

	case states.CheckingRecovery:
		code, isCode := in.(SubmitRecoveryCode)
		if !isCode {
			return lost
		}
		u, err := api.RecoverPassword(ctx, strings.TrimSpace(code.Code))
		if err != nil {
			return e.failed(l, err, e.wrong(tr.CodeInvalid, "CODE_INVALID", "CODE_EMPTY"),
				codeExpired("PASSWORD_RECOVERY_EXPIRED"))
		}
		return e.signedIn(&u)

	case states.SendingEmailCode:
		sent, err := api.SendVerifyEmailCode(ctx, tgapi.EmailRequest{CodeRef: ref, Email: l.Email})
		if err != nil {
			return e.failed(l, err)
		}
		return ok(tr.EmailCodeSentEv, func(l *Login) { l.EmailPattern, l.Attempts = sent.EmailPattern, 0 })

	case states.CheckingEmailCode:
		code, isCode := in.(SubmitEmailCode)
		if !isCode {
			return lost
		}
		res, err := api.VerifyEmail(ctx, tgapi.VerifyEmailRequest{CodeRef: ref, Code: strings.TrimSpace(code.Code)})
		if err != nil {
			return e.failed(l, err, e.wrong(tr.CodeInvalid, "CODE_INVALID", "EMAIL_VERIFY_EXPIRED", "EMAIL_CODE_INVALID"))
		}
		return e.codeResult(ctx, api, res)

	case states.ExportingQR:
		tok, err := api.ExportLoginToken(ctx)
		if err != nil {
			return e.failed(l, err, e.passwordNeeded(ctx, api))
		}
		return e.loginToken(tok)

	case states.ImportingQR:
		tok, err := api.ImportLoginToken(ctx, l.QRMigrateDC, l.QRToken)
		if err != nil {
			return e.failed(l, err, e.passwordNeeded(ctx, api))
		}
		if tok.Authorized != nil {
			return e.signedIn(tok.Authorized)
		}
		return outcome{event: tr.Rejected, note: "the imported login token was not accepted yet; showing a new QR code", apply: e.pollNow}

	case states.CheckingBotToken:
		bt, isToken := in.(SubmitBotToken)
		if !isToken {
			return lost
		}
		u, err := api.ImportBotAuthorization(ctx, strings.TrimSpace(bt.Token))
		if err != nil {
			return e.failed(l, err)
		}
		return e.signedIn(&u)

	case states.CancellingCode:
		// The user gave up, and that is done whatever Telegram answers: a code it did not
		// cancel dies on its own. A failed call is no refusal of the cancel.
		if err := api.CancelCode(ctx, ref); err != nil {
			e.log.Warn("could not cancel the code; it expires on its own", "login", l.ID, "err", err)
		}
		return ok(tr.Done, nil)

	case states.LoggingOut:
		token, err := api.LogOut(ctx)
		if err != nil && !isUnauthorized(err) {
			return e.failed(l, err)
		}
		if phone := vaultPhone(l); len(token) > 0 && phone != "" {
			if err := e.opts.Store.AddLogoutToken(ctx, phone, token, MaxLogoutTokens); err != nil {
				e.log.Warn("could not keep the logout token", "login", l.ID, "err", err)
			}
		}
		return ok(tr.Done, nil)
	}
	return outcome{event: tr.Fatal, note: fmt.Sprintf("internal: no Telegram call for state %s", l.State)}
}

// vaultPhone is the phone a login's logout token is kept under.
func vaultPhone(l *Login) string {
	if l.Phone != "" {
		return l.Phone
	}
	if l.User != nil && l.User.Phone != "" {
		return NormalizePhone("+" + strings.TrimPrefix(l.User.Phone, "+"))
	}
	return ""
}

// codeResult maps auth.sendCode's (or account.verifyEmail's) answer.
func (e *Engine) codeResult(ctx context.Context, api tgapi.API, res tgapi.SendCodeResult) outcome {
	switch {
	case res.Authorized != nil && res.Authorized.User != nil:
		return e.signedIn(res.Authorized.User)
	case res.Code == nil:
		return outcome{event: tr.Interrupted, note: "Telegram answered auth.sendCode with neither a code nor an authorization"}
	case res.Code.Type == tgapi.CodeSetUpEmailRequired:
		code := *res.Code
		return ok(tr.EmailNeeded, func(l *Login) { l.PhoneCodeHash, l.Code = code.PhoneCodeHash, codeInfo(code) })
	}
	return e.codeSent(*res.Code)
}

func (e *Engine) codeSent(code tgapi.SentCode) outcome {
	now := e.now()
	return ok(tr.CodeSentEv, func(l *Login) {
		l.PhoneCodeHash, l.Code, l.Attempts = code.PhoneCodeHash, codeInfo(code), 0
		l.ResendAt = time.Time{}
		if code.Timeout > 0 {
			l.ResendAt = now.Add(code.Timeout)
		}
	})
}

func codeInfo(c tgapi.SentCode) *CodeInfo {
	return &CodeInfo{Type: c.Type, Length: c.Length, NextType: c.NextType, Timeout: c.Timeout,
		Pattern: c.Pattern, EmailPattern: c.EmailPattern, URL: c.URL}
}

func (e *Engine) signedIn(u *User) outcome {
	if u == nil {
		return outcome{event: tr.Interrupted, note: "Telegram authorized the session but sent no user"}
	}
	user := *u
	return ok(tr.SignedIn, func(l *Login) {
		l.User, l.Attempts, l.Terms = &user, 0, nil
		scrub(l)
	})
}

func (e *Engine) loginToken(tok tgapi.LoginToken) outcome {
	switch {
	case tok.Authorized != nil:
		return e.signedIn(tok.Authorized)
	case tok.MigrateDC != 0:
		return ok(tr.QRMigrate, func(l *Login) { l.QRToken, l.QRMigrateDC = tok.Token, tok.MigrateDC })
	}
	now := e.now()
	return ok(tr.QRToken, func(l *Login) {
		l.QRToken, l.QRExpiresAt, l.QRMigrateDC = tok.Token, tok.Expires, 0
		l.QRPollAt = time.Time{}
		if e.opts.QRPoll > 0 {
			l.QRPollAt = now.Add(e.opts.QRPoll)
		}
	})
}

// pollNow makes a waiting QR login export a new token at once.
func (e *Engine) pollNow(l *Login) {
	l.QRToken, l.QRMigrateDC, l.QRExpiresAt = nil, 0, time.Time{}
	l.QRPollAt = e.now()
}

// lost is the outcome when a call cannot be made because its input is gone (it only lived
// in the memory of a process that stopped).
var lost = outcome{event: tr.Interrupted, note: "the input was lost before its call; enter it again"}

// rule maps some Telegram errors of one call to an outcome; it returns false for others.
type rule func(l *Login, err *tgapi.Error) (outcome, bool)

func codeExpired(types ...string) rule {
	return func(l *Login, err *tgapi.Error) (outcome, bool) {
		if !tgapi.IsType(err, types...) {
			return outcome{}, false
		}
		// The next prompt asks for something else (a new code, or the password after an
		// expired recovery code): wrong answers to the expired code do not count against it.
		return outcome{event: tr.CodeExpiredEv, tg: err, apply: func(l *Login) { l.Attempts = 0 },
			note: fmt.Sprintf("the code expired (%s); ask for a new one", err.Message())}, true
	}
}

// wrong maps a wrong answer to ev, or to too_many_attempts at the MaxAttempts-th one.
func (e *Engine) wrong(ev Event, types ...string) rule {
	return func(l *Login, err *tgapi.Error) (outcome, bool) {
		if !tgapi.IsType(err, types...) {
			return outcome{}, false
		}
		attempts := l.Attempts + 1
		what := "code"
		if ev == tr.PasswordInvalid {
			what = "password"
		}
		out := outcome{event: ev, tg: err, apply: func(l *Login) { l.Attempts = attempts },
			note: fmt.Sprintf("wrong %s (%s), attempt %d of %d", what, err.Message(), attempts, e.opts.MaxAttempts)}
		if attempts >= e.opts.MaxAttempts {
			out.event = tr.TooManyAttempts
			out.note = fmt.Sprintf("wrong %s %d times (%s); start the login again", what, attempts, err.Message())
		}
		return out, true
	}
}

func (e *Engine) passwordNeeded(ctx context.Context, api tgapi.API) rule {
	return func(l *Login, err *tgapi.Error) (outcome, bool) {
		if !tgapi.IsType(err, "SESSION_PASSWORD_NEEDED") {
			return outcome{}, false
		}
		info, infoErr := api.PasswordInfo(ctx)
		if infoErr != nil {
			e.log.Warn("could not read the password hint", "login", l.ID, "err", infoErr)
		}
		return ok(tr.PasswordNeeded, func(l *Login) {
			l.PasswordHint, l.HasRecovery, l.Attempts = info.Hint, info.HasRecovery, 0
			l.PhoneCodeHash = ""
		}), true
	}
}

// fatalTypes are errors no input can mend.
var fatalTypes = []string{"PHONE_NUMBER_BANNED", "USER_DEACTIVATED", "USER_DEACTIVATED_BAN",
	"PHONE_NUMBER_FLOOD", "API_ID_INVALID", "API_ID_PUBLISHED_FLOOD", "AUTH_KEY_PERM_EMPTY"}

// failed maps a failed call to its outcome: the state's own rules first, then flood waits,
// fatal errors, other Telegram refusals (rejected where the state has that exit), and last
// transport failures (interrupted: back to the state that awaits the same input).
func (e *Engine) failed(l *Login, err error, rules ...rule) outcome {
	var tgErr *tgapi.Error
	if !errors.As(err, &tgErr) {
		return outcome{event: tr.Interrupted, note: fmt.Sprintf("no answer from Telegram (%v); try again", err), apply: e.qrRetry}
	}
	for _, r := range rules {
		if out, matched := r(l, tgErr); matched {
			return out
		}
	}
	if d, isFlood := tgapi.FloodWait(err); isFlood {
		until := e.now().Add(d)
		return outcome{event: tr.FloodWait, tg: tgErr,
			note: fmt.Sprintf("Telegram asked to wait %s (%s)", d, tgErr.Message()),
			apply: func(l *Login) {
				l.RetryAt = until
				if l.State == states.ExportingQR || l.State == states.ImportingQR {
					l.QRPollAt = until
				}
			}}
	}
	if tgErr.Code >= 500 {
		return outcome{event: tr.Interrupted, tg: tgErr, note: fmt.Sprintf("Telegram had an internal error (%s); try again", tgErr.Message()),
			apply: e.qrRetry}
	}
	if tgapi.IsType(err, fatalTypes...) {
		return outcome{event: tr.Fatal, tg: tgErr, note: fmt.Sprintf("Telegram refused the login (%s)", tgErr.Message())}
	}
	if _, has := tr.Lookup(l.State, tr.Rejected); has {
		return outcome{event: tr.Rejected, tg: tgErr, note: fmt.Sprintf("Telegram refused the input (%s)", tgErr.Message()),
			apply: func(l *Login) {
				if l.State == states.ImportingQR {
					e.pollNow(l)
				}
			}}
	}
	return outcome{event: tr.Interrupted, tg: tgErr, note: fmt.Sprintf("Telegram answered %s; try again", tgErr.Message()),
		apply: e.qrRetry}
}

// qrRetry, applied to a QR call that got no answer, asks again after the poll interval
// (QRRetry when the engine does not poll).
func (e *Engine) qrRetry(l *Login) {
	if l.State == states.ExportingQR || l.State == states.ImportingQR {
		d := e.opts.QRPoll
		if d <= 0 {
			d = QRRetry
		}
		l.QRPollAt = e.now().Add(d)
	}
}

// QRRetry is how long a QR login waits before asking Telegram again after a call that got
// no answer, when Options.QRPoll is not set.
const QRRetry = 5 * time.Second

func isUnauthorized(err error) bool {
	var e *tgapi.Error
	return errors.As(err, &e) && e.Code == 401
}
