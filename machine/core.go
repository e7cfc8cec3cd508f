package machine

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
	tr "github.com/tgauth/tgauth/transitions"
)

// This file is the engine's pure core: decide and outcome take a login and return the
// next one, with the one Telegram call to make as data. They read no store, no clock and
// no network, start no goroutine and change nothing they are given. The edge (step.go)
// loads, persists, makes the calls and notifies.

// Settings are the rules of the engine that a login walks by.
type Settings struct {
	// QRPoll, if set, makes a waiting QR login ask Telegram again that often.
	QRPoll time.Duration
	// MaxAttempts is how many wrong answers to one prompt fail the login.
	MaxAttempts int
}

// Facts are what the store knows, beyond the login itself, that a decision needs.
type Facts struct {
	// FloodWaits are Telegram's waits on the login's phone, by method, across every
	// login of the store.
	FloodWaits map[tgapi.Method]time.Time
	// LogoutTokens are the future_auth_tokens kept for the login's phone, newest first.
	LogoutTokens [][]byte
}

// Step is one transition the core decided: the new login, its journal entry, and the
// call of the new state when it is in flight.
type Step struct {
	Login *Login
	Entry JournalEntry
	Call  tgapi.Request
}

// decide runs event ev on l at time now, with the driver's input in (nil for timers). When
// the new state is in flight, the step names its call. Errors: *NotAllowedError (the state
// does not take ev), *FloodWaitError (Telegram asked this login, or this phone in any
// login, to wait before this call).
func decide(l *Login, ev Event, in Input, now time.Time, facts Facts) (Step, error) {
	to, err := tr.Next(l.State, ev)
	if err != nil {
		return Step{}, err
	}
	// A flood wait holds back the input that was flooded, and only that one: Telegram's
	// waits are per method, and giving up must stay possible.
	if in != nil && ev == l.RetryInput && l.RetryAt.After(now) {
		return Step{}, &FloodWaitError{Until: l.RetryAt}
	}
	n := l.Clone()
	if in != nil {
		take(n, in)
	}
	n.State = to
	st := Step{Login: n, Entry: JournalEntry{From: l.State, Event: ev, To: to}}
	if n.Kind() == states.InFlight {
		n.FlightEvent = ev
		if st.Call = request(n, in, facts); st.Call == nil {
			return Step{}, fmt.Errorf("internal: %s leads to %s without the input its call needs", ev, to)
		}
		if until := facts.FloodWaits[st.Call.Method()]; in != nil && until.After(now) {
			return Step{}, &FloodWaitError{Until: until}
		}
	}
	return st, nil
}

// take copies what the record keeps of an input: never a secret (codes, passwords, bot
// tokens travel to the call in memory only). An input clears the last problem.
func take(l *Login, in Input) {
	l.Problem = nil
	switch in := in.(type) {
	case SubmitPhone:
		l.Method, l.Phone = MethodPhone, NormalizePhone(in.Phone)
	case SubmitBotToken:
		l.Method = MethodBot
	case StartQR:
		l.Method = MethodQR
	case SubmitEmail:
		l.Email = strings.TrimSpace(in.Email)
	}
}

// request returns the call of l's in-flight state, with the input that led there (nil
// when a timer or another call did). A state whose input is not there gets nil: the input
// lived in the memory of a process that stopped.
func request(l *Login, in Input, facts Facts) tgapi.Request {
	ref := tgapi.CodeRef{Phone: l.Phone, PhoneCodeHash: l.PhoneCodeHash}
	switch l.State {
	case states.SendingCode:
		return tgapi.SendCode{Phone: l.Phone, LogoutTokens: facts.LogoutTokens}
	case states.ResendingCode:
		return tgapi.ResendCode(ref)
	case states.CancellingCode:
		return tgapi.CancelCode(ref)
	case states.CheckingCode:
		if c, ok := in.(SubmitCode); ok {
			viaEmail := l.Code != nil && l.Code.Type == tgapi.CodeEmail
			return tgapi.SignIn{Phone: l.Phone, PhoneCodeHash: l.PhoneCodeHash, Code: strings.TrimSpace(c.Code), ViaEmail: viaEmail}
		}
	case states.SigningUp:
		if su, ok := in.(SubmitSignUp); ok {
			return tgapi.SignUp{Phone: l.Phone, PhoneCodeHash: l.PhoneCodeHash,
				FirstName: strings.TrimSpace(su.FirstName), LastName: strings.TrimSpace(su.LastName)}
		}
	case states.CheckingPassword:
		if pw, ok := in.(SubmitPassword); ok {
			return tgapi.CheckPassword{Password: pw.Password}
		}
	case states.RequestingRecovery:
		return tgapi.RequestPasswordRecovery{}
	case states.CheckingRecovery:
		if c, ok := in.(SubmitRecoveryCode); ok {
			return tgapi.RecoverPassword{Code: strings.TrimSpace(c.Code)}
		}
	case states.SendingEmailCode:
		return tgapi.SendVerifyEmailCode{Phone: l.Phone, PhoneCodeHash: l.PhoneCodeHash, Email: l.Email}
	case states.CheckingEmailCode:
		if c, ok := in.(SubmitEmailCode); ok {
			return tgapi.VerifyEmail{Phone: l.Phone, PhoneCodeHash: l.PhoneCodeHash, Code: strings.TrimSpace(c.Code)}
		}
	case states.ExportingQR:
		return tgapi.ExportLoginToken{}
	case states.ImportingQR:
		return tgapi.ImportLoginToken{DC: l.QRMigrateDC, Token: l.QRToken}
	case states.CheckingBotToken:
		if bt, ok := in.(SubmitBotToken); ok {
			return tgapi.ImportBotAuthorization{Token: strings.TrimSpace(bt.Token)}
		}
	case states.LoggingOut:
		return tgapi.LogOut{}
	}
	return accountRequest(l, in)
}

// Result is what one call came to, as the edge hands it to outcome.
type Result struct {
	// Call is the request that was made.
	Call tgapi.Request
	// Value is the call's answer (the result type the call table names), when Err is nil.
	Value any
	// Err is Telegram's *tgapi.Error, or why the call got no answer.
	Err error
	// Local marks Err as a local failure (a store, a key, a config), not Telegram's.
	Local bool
	// DC is the data center the session lives on after the call; 0 if unknown.
	DC int
}

// Outcome is what the core makes of a Result: a Step, or a follow-up call in the same state.
type Outcome struct {
	Step
	// Then, when set, is a further call of the same state whose result decides
	// (account.getPassword for the hint after SESSION_PASSWORD_NEEDED); Step is empty.
	Then tgapi.Request
	// KeepToken is a logout token to keep for the login's phone (auth.logOut's
	// future_auth_token).
	KeepToken []byte
	// Flood is a wait Telegram imposed on the login's phone for a method: it holds for
	// every login of that phone.
	Flood *Flood
}

// Flood is a wait Telegram imposed on a phone's calls of one method.
type Flood struct {
	Phone  string
	Method tgapi.Method
	Until  time.Time
}

// outcome maps the result of the call made for l's in-flight state (or of its follow-up)
// to the outcome event, the new login and the problem, if any. It fails only for a
// recovery check (users.getUsers) that could not tell whether the session is authorized:
// the login then stays in flight.
func outcome(l *Login, res Result, now time.Time, set Settings) (Outcome, error) {
	n := l.Clone()
	if res.DC != 0 {
		n.DC = res.DC
	}
	if tr.AccountTask(l.State) {
		return accountOutcome(l, n, res, now, set), nil
	}
	var o Outcome
	var problem *Problem
	var ev Event
	switch call := res.Call.(type) {
	case tgapi.GetSelf:
		return recoveryOutcome(n, res, now, set)
	case tgapi.GetPassword:
		// SESSION_PASSWORD_NEEDED came first: this only fetched the hint. Without it the
		// password can still be entered.
		info, _ := res.Value.(tgapi.PasswordInfo)
		n.PasswordHint, n.HasRecovery, n.PhoneCodeHash = info.Hint, info.HasRecovery, ""
		ev = tr.PasswordNeeded
	default:
		if res.Err != nil {
			if tr.ErrorEvent(l.State, errCode(res.Err), errType(res.Err)) == tr.PasswordNeeded && !res.Local {
				return Outcome{Then: tgapi.GetPassword{}}, nil
			}
			ev, problem = failed(n, call, res, now, set)
			if ev == tr.FloodWait && n.Phone != "" {
				o.Flood = &Flood{Phone: n.Phone, Method: call.Method(), Until: problem.RetryAt}
			}
		} else {
			ev, problem, o.KeepToken = answered(n, res.Value, now, set)
		}
		if l.State == states.CancellingCode {
			// The user gave up, and that is done whatever Telegram answers: a code it did
			// not cancel dies on its own. A failed call is no refusal of the cancel.
			ev, problem = tr.Done, nil
		}
		if ev == tr.Interrupted && problem == nil {
			problem = &Problem{Code: ProblemUnexpectedAnswer, Call: call.Method(), Detail: fmt.Sprintf("%T", res.Value)}
		}
	}
	o.Step = settle(n, l.State, ev, problem, now, set)
	return o, nil
}

// answered maps a successful answer of n's call.
func answered(n *Login, v any, now time.Time, set Settings) (Event, *Problem, []byte) {
	switch v := v.(type) {
	case tgapi.SendCodeResult: // auth.sendCode, account.verifyEmail
		switch {
		case v.Authorized != nil && v.Authorized.User != nil:
			return signedIn(n, v.Authorized.User), nil, nil
		case v.Code == nil:
			return tr.Interrupted, nil, nil
		case v.Code.Type == tgapi.CodeSetUpEmailRequired:
			n.PhoneCodeHash, n.Code = v.Code.PhoneCodeHash, codeInfo(*v.Code)
			return tr.EmailNeeded, nil, nil
		}
		return codeSent(n, *v.Code, now), nil, nil
	case tgapi.SentCode: // auth.resendCode
		return codeSent(n, v, now), nil, nil
	case tgapi.Authorization: // auth.signIn
		if v.SignUpRequired != nil {
			terms := *v.SignUpRequired
			n.Terms = &terms
			return tr.SignUpNeeded, nil, nil
		}
		return signedIn(n, v.User), nil, nil
	case tgapi.User: // auth.signUp, auth.checkPassword, auth.recoverPassword, bots
		return signedIn(n, &v), nil, nil
	case tgapi.PasswordRecovery:
		n.RecoveryEmail = v.EmailPattern
		return tr.RecoverySent, nil, nil
	case tgapi.EmailCode:
		n.EmailPattern = v.EmailPattern
		return tr.EmailCodeSentEv, nil, nil
	case tgapi.LoginToken:
		switch {
		case v.Authorized != nil:
			return signedIn(n, v.Authorized), nil, nil
		case n.State == states.ImportingQR:
			pollNow(n, now)
			return tr.Rejected, &Problem{Code: ProblemQRNotAccepted, Call: "auth.importLoginToken"}, nil
		case v.MigrateDC != 0:
			n.QRToken, n.QRMigrateDC = v.Token, v.MigrateDC
			return tr.QRMigrate, nil, nil
		}
		n.QRToken, n.QRExpiresAt, n.QRMigrateDC, n.QRPollAt = v.Token, v.Expires, 0, time.Time{}
		if set.QRPoll > 0 {
			n.QRPollAt = now.Add(set.QRPoll)
		}
		return tr.QRToken, nil, nil
	case tgapi.LoggedOut:
		return tr.Done, nil, v.FutureAuthToken
	case nil: // auth.cancelCode
		return tr.Done, nil, nil
	}
	return tr.Interrupted, nil, nil
}

// failed maps a failed call of n's state to its outcome event and problem.
func failed(n *Login, call tgapi.Request, res Result, now time.Time, set Settings) (Event, *Problem) {
	var tgErr *tgapi.Error
	if res.Local || !errors.As(res.Err, &tgErr) {
		code := ProblemNoAnswer
		if res.Local {
			code = ProblemLocal
		}
		qrRetry(n, now, set)
		return tr.Interrupted, &Problem{Code: code, Call: call.Method(), Detail: res.Err.Error()}
	}
	if n.State == states.LoggingOut && tgErr.Code == 401 {
		return tr.Done, nil // the session was gone already: logged out all the same
	}
	p := &Problem{Call: call.Method(), Telegram: tgErr}
	ev := tr.ErrorEvent(n.State, tgErr.Code, tgErr.Type)
	switch ev {
	case tr.CodeInvalid, tr.PasswordInvalid:
		p.Code, p.MaxAttempts = ProblemCodeInvalid, set.MaxAttempts
		if ev == tr.PasswordInvalid {
			p.Code = ProblemPasswordInvalid
		}
		// Wrong answers count per prompt, across new codes for it: asking for another
		// code does not reset them.
		back, _ := tr.Lookup(n.State, ev)
		p.Attempt = n.AttemptsAt(back) + 1
		n.Attempts, n.AttemptsFor = p.Attempt, back
		if p.Attempt >= set.MaxAttempts {
			ev, p.Code = tr.TooManyAttempts, ProblemTooManyAttempts
		}
	case tr.CodeExpiredEv:
		p.Code = ProblemCodeExpired
	case tr.FloodWait:
		p.Code = ProblemFloodWait
		d, _ := tgapi.FloodWait(tgErr)
		p.RetryAt = now.Add(d)
		n.RetryAt = p.RetryAt
		if n.State == states.ExportingQR || n.State == states.ImportingQR {
			n.QRPollAt = p.RetryAt
		}
	case tr.Fatal:
		p.Code = ProblemFatal
	case tr.Rejected:
		p.Code = ProblemRejected
		if n.State == states.ImportingQR {
			pollNow(n, now)
		}
	default:
		p.Code = ProblemTelegramError
		qrRetry(n, now, set)
	}
	return ev, p
}

// settle fires outcome event ev on n, which left state from, and returns the step. An
// event the table lacks there (a bug in the rules) counts as the answer lost.
func settle(n *Login, from State, ev Event, problem *Problem, now time.Time, set Settings) Step {
	to, err := tr.Next(from, ev)
	if err != nil {
		ev, problem = tr.Interrupted, &Problem{Code: ProblemUnexpectedAnswer, Detail: err.Error()}
		to, _ = tr.Lookup(from, ev)
	}
	if ev == tr.FloodWait {
		n.RetryInput = n.FlightEvent
	} else {
		n.RetryAt, n.RetryInput = time.Time{}, ""
	}
	n.State, n.Problem = to, problem
	st := Step{Login: n, Entry: JournalEntry{From: from, Event: ev, To: to, Problem: problem}}
	if n.Kind() != states.InFlight {
		n.FlightEvent = ""
		return st
	}
	if st.Call = request(n, nil, Facts{}); st.Call == nil {
		// The state needs an input that is gone: it lived in the memory of a process
		// that stopped. Ask for it again.
		return settle(n, to, tr.Interrupted, &Problem{Code: ProblemInputLost}, now, set)
	}
	return st
}

// codeSent records a code Telegram sent.
func codeSent(n *Login, code tgapi.SentCode, now time.Time) Event {
	n.PhoneCodeHash, n.Code, n.ResendAt = code.PhoneCodeHash, codeInfo(code), time.Time{}
	if code.Timeout > 0 {
		n.ResendAt = now.Add(code.Timeout)
	}
	return tr.CodeSentEv
}

func codeInfo(c tgapi.SentCode) *CodeInfo {
	return &CodeInfo{Type: c.Type, Length: c.Length, NextType: c.NextType, Timeout: c.Timeout,
		Pattern: c.Pattern, EmailPattern: c.EmailPattern, URL: c.URL}
}

// signedIn records the user a session was authorized as.
func signedIn(n *Login, u *User) Event {
	if u == nil {
		return tr.Interrupted
	}
	user := *u
	n.User, n.Terms, n.Attempts, n.AttemptsFor = &user, nil, 0, ""
	scrub(n)
	return tr.SignedIn
}

// scrub drops what a finished login no longer needs.
func scrub(l *Login) {
	l.PhoneCodeHash, l.QRToken, l.QRMigrateDC = "", nil, 0
	l.QRPollAt, l.QRExpiresAt, l.ResendAt, l.RetryAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	l.RetryInput = ""
}

// pollNow makes a waiting QR login export a new token at once.
func pollNow(l *Login, now time.Time) {
	l.QRToken, l.QRMigrateDC, l.QRExpiresAt = nil, 0, time.Time{}
	l.QRPollAt = now
}

// qrRetry, applied to a QR call that got no answer, asks again after the poll interval
// (QRRetry when the engine does not poll).
func qrRetry(l *Login, now time.Time, set Settings) {
	if l.State == states.ExportingQR || l.State == states.ImportingQR {
		d := set.QRPoll
		if d <= 0 {
			d = QRRetry
		}
		l.QRPollAt = now.Add(d)
	}
}

// QRRetry is how long a QR login waits before asking Telegram again after a call that got
// no answer, when Options.QRPoll is not set.
const QRRetry = 5 * time.Second

// recovery resolves l, found in flight with its call's answer lost: at once by the state's
// recovery rule, or, when the rule asks whether the session is authorized, by the
// users.getUsers call the outcome names in Then.
func recovery(l *Login, now time.Time, set Settings) Outcome {
	r, _ := tr.RulesOf(l.State)
	if r.Recovery.CheckAuthorized {
		return Outcome{Then: tgapi.GetSelf{}}
	}
	n := l.Clone()
	return Outcome{Step: settle(n, l.State, recovered(n, r.Recovery.Otherwise, now), answerLost(l), now, set)}
}

// recoveryOutcome applies the recovery rule of n's state to the answer of users.getUsers.
func recoveryOutcome(n *Login, res Result, now time.Time, set Settings) (Outcome, error) {
	r, _ := tr.RulesOf(n.State)
	var tgErr *tgapi.Error
	from, ev := n.State, r.Recovery.Otherwise
	switch {
	case res.Err == nil && r.Recovery.IfAuthorized == tr.SignedIn:
		u, _ := res.Value.(tgapi.User)
		return Outcome{Step: settle(n, from, signedIn(n, &u), nil, now, set)}, nil
	case res.Err == nil:
		ev = r.Recovery.IfAuthorized
	case !errors.As(res.Err, &tgErr) || tgErr.Code != 401:
		return Outcome{}, fmt.Errorf("recover login %s: ask Telegram whether the session is authorized: %w", n.ID, res.Err)
	}
	return Outcome{Step: settle(n, from, recovered(n, ev, now), answerLost(n), now, set)}, nil
}

// recovered prepares n for recovery event ev: a QR login asks for a new token at once.
func recovered(n *Login, ev Event, now time.Time) Event {
	if ev == tr.Interrupted && (n.State == states.ExportingQR || n.State == states.ImportingQR) {
		pollNow(n, now)
	}
	return ev
}

func answerLost(l *Login) *Problem {
	info, _ := states.Lookup(l.State)
	return &Problem{Code: ProblemAnswerLost, Call: tgapi.Method(info.Call)}
}

func errCode(err error) int {
	var e *tgapi.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func errType(err error) string {
	var e *tgapi.Error
	if errors.As(err, &e) {
		return e.Type
	}
	return ""
}
