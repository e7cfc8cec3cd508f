package machine

import (
	"fmt"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

// ProblemCode names why the last input did not get through.
type ProblemCode string

// The problem codes.
const (
	// ProblemCodeInvalid: a wrong login, recovery or e-mail code (Attempt of MaxAttempts).
	ProblemCodeInvalid ProblemCode = "code_invalid"
	// ProblemPasswordInvalid: a wrong 2FA password (Attempt of MaxAttempts).
	ProblemPasswordInvalid ProblemCode = "password_invalid"
	// ProblemTooManyAttempts: the MaxAttempts-th wrong answer; the login failed.
	ProblemTooManyAttempts ProblemCode = "too_many_attempts"
	// ProblemCodeExpired: the code is no longer valid; a new one must be asked for.
	ProblemCodeExpired ProblemCode = "code_expired"
	// ProblemFloodWait: Telegram asked to wait until RetryAt before the same call.
	ProblemFloodWait ProblemCode = "flood_wait"
	// ProblemRejected: Telegram refused the input (PHONE_NUMBER_INVALID...).
	ProblemRejected ProblemCode = "rejected"
	// ProblemFatal: an error no input can mend (PHONE_NUMBER_BANNED...); the login failed.
	ProblemFatal ProblemCode = "fatal"
	// ProblemTelegramError: Telegram answered an error of its own (5xx) or one this
	// call has no rule for; the same input may be tried again.
	ProblemTelegramError ProblemCode = "telegram_error"
	// ProblemNoAnswer: the call got no answer (network, timeout); Detail says why.
	ProblemNoAnswer ProblemCode = "no_answer"
	// ProblemLocal: the call could not be made for a local reason (a store, a key, a
	// config); Detail says which. Trying again will not help until it is fixed.
	ProblemLocal ProblemCode = "local"
	// ProblemAnswerLost: the engine stopped during the call (a crash); its answer is lost.
	ProblemAnswerLost ProblemCode = "answer_lost"
	// ProblemInputLost: the input lived only in the memory of a process that stopped
	// before its call was made.
	ProblemInputLost ProblemCode = "input_lost"
	// ProblemQRNotAccepted: the scanned token was not accepted yet; a new QR code follows.
	ProblemQRNotAccepted ProblemCode = "qr_not_accepted"
	// ProblemUnexpectedAnswer: Telegram answered something the call cannot use.
	ProblemUnexpectedAnswer ProblemCode = "unexpected_answer"
	// ProblemNote: a problem recorded before problems were structured; Detail holds the
	// words it was recorded with.
	ProblemNote ProblemCode = "note"
)

// Problem says why the last input did not get through, as data: front-ends render it their
// own way, or use Text. It never holds a secret.
type Problem struct {
	Code ProblemCode `json:"code"`
	// Call is the Telegram method that answered (or did not).
	Call tgapi.Method `json:"call,omitempty"`
	// Attempt and MaxAttempts count wrong answers (code_invalid, password_invalid,
	// too_many_attempts).
	Attempt     int `json:"attempt,omitempty"`
	MaxAttempts int `json:"max_attempts,omitempty"`
	// RetryAt is when a flood wait ends.
	RetryAt time.Time `json:"retry_at,omitzero"`
	// Telegram is Telegram's error, when it answered one.
	Telegram *tgapi.Error `json:"telegram,omitempty"`
	// Detail is the error text of a call that got no answer or could not be made.
	Detail string `json:"detail,omitempty"`
}

// Text renders p as one English sentence that says what happened and what to do next.
// It is the one place tgauth words a problem; front-ends may word it their own way.
func (p *Problem) Text() string {
	if p == nil {
		return ""
	}
	tg := ""
	if p.Telegram != nil {
		tg = " (" + p.Telegram.Message() + ")"
	}
	switch p.Code {
	case ProblemCodeInvalid, ProblemPasswordInvalid:
		what := map[ProblemCode]string{ProblemCodeInvalid: "code", ProblemPasswordInvalid: "password"}[p.Code]
		if p.MaxAttempts == 0 { // an account task: Telegram counts, not tgauth
			return fmt.Sprintf("Wrong %s%s; enter it again.", what, tg)
		}
		return fmt.Sprintf("Wrong %s%s, attempt %d of %d; enter it again.", what, tg, p.Attempt, p.MaxAttempts)
	case ProblemTooManyAttempts:
		return fmt.Sprintf("Wrong answer %d times%s; start the login again.", p.Attempt, tg)
	case ProblemCodeExpired:
		return fmt.Sprintf("The code expired%s; ask for a new one.", tg)
	case ProblemFloodWait:
		wait := ""
		if p.Telegram != nil && p.Telegram.Argument > 0 {
			wait = " " + (time.Duration(p.Telegram.Argument) * time.Second).String()
		}
		return fmt.Sprintf("Telegram asked to wait%s%s; try again after %s.", wait, tg, p.RetryAt.UTC().Format(time.RFC3339))
	case ProblemRejected:
		return fmt.Sprintf("Telegram refused the input%s; check it and enter it again.", tg)
	case ProblemFatal:
		return fmt.Sprintf("Telegram refused the login%s; it cannot go on.", tg)
	case ProblemTelegramError:
		return fmt.Sprintf("Telegram answered an error%s; try again.", tg)
	case ProblemNoAnswer:
		return fmt.Sprintf("No answer from Telegram to %s (%s); try again.", p.Call, p.Detail)
	case ProblemLocal:
		return fmt.Sprintf("Could not make the call %s: %s; fix that, then try again.", p.Call, p.Detail)
	case ProblemAnswerLost:
		return fmt.Sprintf("The answer to %s was lost (the engine stopped during the call).", p.Call)
	case ProblemInputLost:
		return "The input was lost before its call was made; enter it again."
	case ProblemQRNotAccepted:
		return "The scanned QR code was not accepted yet; a new one is shown."
	case ProblemNote:
		return p.Detail
	case ProblemTooFresh:
		when := "once this session is 24 hours old"
		if !p.RetryAt.IsZero() {
			when = "after " + p.RetryAt.UTC().Format(time.RFC3339)
		}
		return fmt.Sprintf("Telegram lets a session terminate others only once it is 24 hours old%s; try again %s.", tg, when)
	case ProblemSessionRevoked:
		return fmt.Sprintf("Telegram no longer knows this session%s: it was terminated from another one; log in again.", tg)
	case ProblemUnexpectedAnswer:
		return fmt.Sprintf("Telegram answered %s with something tgauth cannot use (%s); try again.", p.Call, p.Detail)
	}
	return fmt.Sprintf("%s%s", p.Code, tg)
}
