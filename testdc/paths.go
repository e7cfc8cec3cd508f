package testdc

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// This file holds the login paths beyond the plain code: the paid sign-in
// (auth.sentCodePaymentRequired, payments.getPaymentForm,
// payments.sendPaymentForm, auth.checkPaidAuth), the login e-mail reset
// (auth.resetLoginEmail) and the codes that are not digits (SMS words and
// phrases, flash calls).

// paymentForm is a form of a paid sign-in, asked for by
// payments.getPaymentForm for the code it names.
type paymentForm struct {
	id   int64
	code *sentCode
	paid bool
}

// CheckPaidWait is the FLOOD_WAIT auth.checkPaidAuth answers, in seconds,
// while the form is not paid.
const CheckPaidWait = 10

func (d *DC) registerPaths(r *tg.ServerDispatcher) {
	r.OnPaymentsGetPaymentForm(d.getPaymentForm)
	r.OnPaymentsSendPaymentForm(d.sendPaymentForm)
	r.OnAuthCheckPaidAuth(d.checkPaidAuth)
	r.OnAuthResetLoginEmail(d.resetLoginEmail)
}

// paymentRequired renders an unpaid code as auth.sentCodePaymentRequired.
func (sc *sentCode) paymentRequired() *tg.AuthSentCodePaymentRequired {
	p := sc.acc.paid
	return &tg.AuthSentCodePaymentRequired{
		StoreProduct:        "org.telegram.premium.auth." + strconv.Itoa(p.PremiumDays),
		PhoneCodeHash:       sc.hash,
		SupportEmailAddress: "sms@testdc.invalid",
		SupportEmailSubject: "Sign-in of +" + sc.acc.phone,
		PremiumDays:         p.PremiumDays,
		Currency:            p.Currency,
		Amount:              p.Amount,
	}
}

// authCodePurpose is the inputStorePaymentAuthCode of an
// inputInvoicePremiumAuthCode; INVOICE_INVALID for any other invoice.
func authCodePurpose(inv tg.InputInvoiceClass) (*tg.InputStorePaymentAuthCode, error) {
	i, ok := inv.(*tg.InputInvoicePremiumAuthCode)
	if !ok {
		return nil, errInvoiceInvalid
	}
	p, ok := i.Purpose.(*tg.InputStorePaymentAuthCode)
	if !ok {
		return nil, errInvoiceInvalid
	}
	return p, nil
}

var errInvoiceInvalid = tgerr.New(400, "INVOICE_INVALID")

// getPaymentForm, for an inputInvoicePremiumAuthCode naming a live unpaid
// code of the calling key with the amount, currency and premium days
// auth.sentCodePaymentRequired asked, answers payments.paymentForm with a
// new form ID and the URL to pay it at; INVOICE_INVALID otherwise.
func (d *DC) getPaymentForm(ctx context.Context, req *tg.PaymentsGetPaymentFormRequest) (tg.PaymentsPaymentFormClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	p, err := authCodePurpose(req.Invoice)
	if err != nil {
		return nil, err
	}
	sc, err := s.liveCode(c, p.PhoneNumber, p.PhoneCodeHash)
	if err != nil {
		return nil, err
	}
	asked := sc.acc.paid
	if !sc.unpaid || asked == nil || p.Amount != asked.Amount || p.Currency != asked.Currency || p.PremiumDays != asked.PremiumDays {
		return nil, errInvoiceInvalid
	}
	f := &paymentForm{id: int64(binary.LittleEndian.Uint64(randomBytes(8)) >> 1), code: sc}
	s.forms[f.id] = f
	return &tg.PaymentsPaymentForm{
		FormID:      f.id,
		Title:       "Telegram Premium",
		Description: fmt.Sprintf("%d days of Telegram Premium, to sign in as +%s", asked.PremiumDays, sc.acc.phone),
		Invoice: tg.Invoice{Test: true, Currency: asked.Currency,
			Prices: []tg.LabeledPrice{{Label: "Telegram Premium", Amount: asked.Amount}}},
		URL:   fmt.Sprintf("https://pay.testdc.invalid/form/%d", f.id),
		Users: []tg.UserClass{},
	}, nil
}

// sendPaymentForm pays the forms of a paid sign-in: the form form_id, or,
// when form_id is 0, every unpaid form of the inputStorePaymentAuthCode's
// phone (what Pay does). INVOICE_INVALID when there is none.
func (d *DC) sendPaymentForm(ctx context.Context, req *tg.PaymentsSendPaymentFormRequest) (tg.PaymentsPaymentResultClass, error) {
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	p, err := authCodePurpose(req.Invoice)
	if err != nil {
		return nil, err
	}
	phone, _ := normalizePhone(p.PhoneNumber)
	n := 0
	for id, f := range s.forms {
		if !f.paid && (id == req.FormID || req.FormID == 0 && f.code.acc.phone == phone) {
			f.paid = true
			n++
		}
	}
	if n == 0 {
		return nil, errInvoiceInvalid
	}
	return &tg.PaymentsPaymentResult{Updates: &tg.Updates{Date: int(s.now().Unix())}}, nil
}

// checkPaidAuth answers, for a form of the named code: FLOOD_WAIT_X
// (CheckPaidWait) while it is not paid; once it is, the code goes out
// (auth.sentCode, the same hash) and the account signs in for free from
// then on. INVOICE_INVALID for a form of another code.
func (d *DC) checkPaidAuth(ctx context.Context, req *tg.AuthCheckPaidAuthRequest) (tg.AuthSentCodeClass, error) {
	return d.onCode(ctx, req.PhoneNumber, req.PhoneCodeHash, func(s *state, sc *sentCode) (tg.AuthSentCodeClass, error) {
		f, ok := s.forms[req.FormID]
		switch {
		case !ok || f.code != sc:
			return nil, errInvoiceInvalid
		case !f.paid:
			return nil, tgerr.New(420, "FLOOD_WAIT_"+strconv.Itoa(CheckPaidWait))
		}
		sc.unpaid, sc.acc.paid = false, nil
		sc.sent = s.now()
		return sc.sentCode(), nil
	})
}

// onCode runs f, under the state's lock, on the live code a phone and
// phone_code_hash name for the calling key (see liveCode).
func (d *DC) onCode(ctx context.Context, phone, hash string, f func(*state, *sentCode) (tg.AuthSentCodeClass, error)) (tg.AuthSentCodeClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	sc, err := s.liveCode(c, phone, hash)
	if err != nil {
		return nil, err
	}
	return f(s, sc)
}

// resetLoginEmail, for a live e-mail code of an account whose world offers
// the reset (email_reset): with a wait, the first call answers the e-mail
// code again with reset_pending_date and later calls TASK_ALREADY_EXISTS
// until that date; then, or at once without a wait, the login e-mail is
// dropped and the code goes out by SMS (same hash). EMAIL_NOT_ALLOWED for
// any other code.
func (d *DC) resetLoginEmail(ctx context.Context, req *tg.AuthResetLoginEmailRequest) (tg.AuthSentCodeClass, error) {
	return d.onCode(ctx, req.PhoneNumber, req.PhoneCodeHash, func(s *state, sc *sentCode) (tg.AuthSentCodeClass, error) {
		acc, now := sc.acc, s.now()
		if sc.typ != codeEmail || acc.emailReset == nil {
			return nil, tgerr.New(400, "EMAIL_NOT_ALLOWED")
		}
		if wait := time.Duration(*acc.emailReset) * time.Second; sc.resetAt.IsZero() && wait > 0 {
			sc.resetAt = now.Add(wait)
			return sc.sentCode(), nil
		}
		if now.Before(sc.resetAt) {
			return nil, tgerr.New(400, "TASK_ALREADY_EXISTS")
		}
		acc.loginEmail, acc.emailReset, acc.codeType = "", nil, codeSMS
		sc.typ, sc.next, sc.sent, sc.attempts = codeSMS, "", now, 0
		return sc.sentCode(), nil
	})
}

// emailCodeType renders an e-mail code, with what it says of a reset.
func (sc *sentCode) emailCodeType() *tg.AuthSentCodeTypeEmailCode {
	t := &tg.AuthSentCodeTypeEmailCode{EmailPattern: maskEmail(sc.loginEmail()), Length: loginCodeLength}
	switch {
	case sc.acc.emailReset == nil:
	case !sc.resetAt.IsZero():
		t.SetResetPendingDate(int(sc.resetAt.Unix()))
	default:
		t.SetResetAvailablePeriod(*sc.acc.emailReset)
	}
	return t
}

// dcWords are the SMS words of the DCs: an SMS word code is the word of the
// account's DC, an SMS phrase code that word and "delta echo".
var dcWords = map[int]string{1: "alpha", 2: "bravo", 3: "charlie"}

// wordCode is the word or phrase of an SMS word or phrase code.
func (sc *sentCode) wordCode() string {
	if sc.typ == codeSMSPhrase {
		return dcWords[sc.acc.dc] + " delta echo"
	}
	return dcWords[sc.acc.dc]
}

// matches reports whether code is the login code of sc, by its type: the
// word or phrase (any case) of an SMS word or phrase; the calling number
// 99966DDDDD of a flash call; else D five times.
func (sc *sentCode) matches(code string) bool {
	digits := digitCode(sc.acc.dc, loginCodeLength)
	switch sc.typ {
	case codeSMSWord, codeSMSPhrase:
		return strings.EqualFold(strings.Join(strings.Fields(code), " "), sc.wordCode())
	case codeFlashCall:
		return code == "99966"+digits
	}
	return code == digits
}
