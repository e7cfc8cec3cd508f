package storetest

import (
	"fmt"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
	tr "github.com/tgauth/tgauth/transitions"
)

// The QR rounds of TwoEngines: the clock moves on by QRTokenLife rounds times, and each
// time every QR login still waiting has its token expire. The cancelled QR logins are
// cancelled after cancelRound rounds.
const (
	rounds      = 4
	cancelRound = 2
)

// kind is how a login of TwoEngines goes.
type kind int

const (
	phoneAuthorized kind = iota // phone, [wrong code], right code
	phoneCancelled              // phone, [wrong code], cancel
	phoneAbandoned              // phone, [wrong code], then nothing until the TTL
	qrCancelled                 // QR, cancelRound token expiries, cancel
	qrExpired                   // QR, rounds token expiries, then the TTL
)

// plan is what TwoEngines does with one login, and so what must come of it.
type plan struct {
	id, phone string
	kind      kind
	// wrong: a wrong code before anything else; double: the right code sent through both
	// engines at once.
	wrong, double bool
}

// planOf returns the plan of the i-th login: a tenth QR logins (half cancelled, half
// expired), a tenth phone logins abandoned in CodeSent, a fifth cancelled, the rest
// authorized; a wrong code first when i%3 == 0, and the right code sent twice at once
// when i%7 == 0.
func planOf(i int) plan {
	p := plan{id: fmt.Sprintf("login-%05d", i), phone: fmt.Sprintf("+99966%05d", i), wrong: i%3 == 0}
	switch {
	case i%10 == 9 && (i/10)%2 == 0:
		p.kind, p.wrong = qrCancelled, false
	case i%10 == 9:
		p.kind, p.wrong = qrExpired, false
	case i%10 == 8:
		p.kind = phoneAbandoned
	case i%5 == 0:
		p.kind = phoneCancelled
	default:
		p.kind, p.double = phoneAuthorized, i%7 == 0
	}
	return p
}

func (p plan) qr() bool { return p.kind == qrCancelled || p.kind == qrExpired }

// final is the state the login must end in.
func (p plan) final() machine.State {
	switch p.kind {
	case phoneAuthorized:
		return states.Authorized
	case phoneCancelled, qrCancelled:
		return states.Cancelled
	}
	return states.Expired
}

// expiries is how many of the login's QR tokens must expire while it waits.
func (p plan) expiries() int {
	switch p.kind {
	case qrCancelled:
		return cancelRound
	case qrExpired:
		return rounds
	}
	return 0
}

// events is the login's journal, event by event.
func (p plan) events() []machine.Event {
	if p.qr() {
		ev := []machine.Event{tr.StartQR, tr.QRToken}
		for range p.expiries() {
			ev = append(ev, tr.QRExpired, tr.QRToken)
		}
		if p.kind == qrCancelled {
			return append(ev, tr.Cancel)
		}
		return append(ev, tr.TTL)
	}
	ev := []machine.Event{tr.SubmitPhone, tr.CodeSentEv}
	if p.wrong {
		ev = append(ev, tr.SubmitCode, tr.CodeInvalid)
	}
	switch p.kind {
	case phoneAuthorized:
		return append(ev, tr.SubmitCode, tr.SignedIn)
	case phoneCancelled:
		return append(ev, tr.Cancel, tr.Done)
	}
	return append(ev, tr.TTL)
}

// calls is the Telegram calls the login must make, in order.
func (p plan) calls() []tgapi.Method {
	if p.qr() {
		calls := make([]tgapi.Method, p.expiries()+1)
		for i := range calls {
			calls[i] = tgapi.ExportLoginToken{}.Method()
		}
		return calls
	}
	calls := []tgapi.Method{tgapi.SendCode{}.Method()}
	if p.wrong {
		calls = append(calls, tgapi.SignIn{}.Method())
	}
	switch p.kind {
	case phoneAuthorized:
		return append(calls, tgapi.SignIn{}.Method())
	case phoneCancelled:
		return append(calls, tgapi.CancelCode{}.Method())
	}
	return calls
}
