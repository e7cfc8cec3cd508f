package mtproto

import (
	"context"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// This file holds the paid sign-in (payments.getPaymentForm for an
// inputInvoicePremiumAuthCode, auth.checkPaidAuth) and the login e-mail reset
// (auth.resetLoginEmail).

// getPaymentForm calls payments.getPaymentForm for the inputInvoicePremiumAuthCode of the
// phone's paid sign-in, whose inputStorePaymentAuthCode repeats what
// auth.sentCodePaymentRequired asked.
func (a *api) getPaymentForm(ctx context.Context, req tgapi.GetPaymentForm) (tgapi.PaymentForm, error) {
	const method = "payments.getPaymentForm"
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.PaymentsPaymentFormClass, error) {
		return cl.API().PaymentsGetPaymentForm(ctx, &tg.PaymentsGetPaymentFormRequest{
			Invoice: &tg.InputInvoicePremiumAuthCode{Purpose: &tg.InputStorePaymentAuthCode{
				PhoneNumber:   req.Phone,
				PhoneCodeHash: req.PhoneCodeHash,
				PremiumDays:   req.PremiumDays,
				Currency:      req.Currency,
				Amount:        req.Amount,
			}},
		})
	})
	if err != nil {
		return tgapi.PaymentForm{}, err
	}
	form, ok := res.(*tg.PaymentsPaymentForm)
	if !ok {
		return tgapi.PaymentForm{}, unsupported(method, res)
	}
	return tgapi.PaymentForm{FormID: form.FormID, URL: form.URL}, nil
}

// checkPaidAuth calls auth.checkPaidAuth with the form that was paid; once it was, the
// answer is the code Telegram sent.
func (a *api) checkPaidAuth(ctx context.Context, req tgapi.CheckPaidAuth) (tgapi.SendCodeResult, error) {
	const method = "auth.checkPaidAuth"
	sent, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthSentCodeClass, error) {
		return cl.API().AuthCheckPaidAuth(ctx, &tg.AuthCheckPaidAuthRequest{
			PhoneNumber:   req.Phone,
			PhoneCodeHash: req.PhoneCodeHash,
			FormID:        req.FormID,
		})
	})
	if err != nil {
		return tgapi.SendCodeResult{}, err
	}
	return sendCodeResult(method, sent)
}

// resetLoginEmail calls auth.resetLoginEmail.
func (a *api) resetLoginEmail(ctx context.Context, req tgapi.ResetLoginEmail) (tgapi.SentCode, error) {
	const method = "auth.resetLoginEmail"
	sent, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthSentCodeClass, error) {
		return cl.API().AuthResetLoginEmail(ctx, &tg.AuthResetLoginEmailRequest{
			PhoneNumber:   req.Phone,
			PhoneCodeHash: req.PhoneCodeHash,
		})
	})
	if err != nil {
		return tgapi.SentCode{}, err
	}
	return sentCodeOnly(method, sent)
}
