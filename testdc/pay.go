package testdc

import (
	"context"
	"fmt"

	"github.com/gotd/td/tg"
)

// Pay plays the person who paid a paid sign-in in a browser: a real MTProto
// client, not logged in, on the phone's DC, calls payments.sendPaymentForm
// for the phone's inputInvoicePremiumAuthCode with form_id 0, which pays
// every payment form asked for the phone (payments.getPaymentForm). The
// login's auth.checkPaidAuth then gets the code. It fails with
// INVOICE_INVALID when no form was asked for the phone.
func Pay(ctx context.Context, cfg Config, phone string) error {
	client, p, err := phoneClient(cfg, phone, "pay")
	if err != nil {
		return err
	}
	return client.Run(ctx, func(ctx context.Context) error {
		_, err := client.API().PaymentsSendPaymentForm(ctx, &tg.PaymentsSendPaymentFormRequest{
			Invoice:     &tg.InputInvoicePremiumAuthCode{Purpose: &tg.InputStorePaymentAuthCode{PhoneNumber: p}},
			Credentials: &tg.InputPaymentCredentials{Data: tg.DataJSON{Data: `{"testdc":"paid"}`}},
		})
		if err != nil {
			return fmt.Errorf("testdc: pay for +%s: %w", p, err)
		}
		return nil
	})
}
