package testdc

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/telegram/auth/qrlogin"
	"github.com/gotd/td/tg"
)

// Scan plays the phone that scans a QR code: it logs a second, real MTProto
// client in as phone (phone code on the phone's DC, computed by the test-DC
// rule; password is used if the account has 2FA) and accepts the login
// token of url ("tg://login?token=BASE64URL") with auth.acceptLoginToken.
// The phone must be a registered account with a phone code (not
// setup_email_required).
func Scan(ctx context.Context, cfg Config, phone, password string, url string) error {
	token, err := qrlogin.ParseTokenURL(url)
	if err != nil {
		return fmt.Errorf("testdc: scan: login URL: %w", err)
	}
	client, p, err := phoneClient(cfg, phone, "scan")
	if err != nil {
		return err
	}
	return client.Run(ctx, func(ctx context.Context) error {
		flow := auth.NewFlow(scanner{phone: p, password: password}, auth.SendCodeOptions{})
		if err := client.Auth().IfNecessary(ctx, flow); err != nil {
			return fmt.Errorf("testdc: scan: log in as %s: %w", phone, err)
		}
		if _, err := qrlogin.AcceptQR(ctx, client.API(), token); err != nil {
			return fmt.Errorf("testdc: scan: %w", err)
		}
		return nil
	})
}

// phoneClient returns a client of cfg's DCs on the DC of phone (normalized, as
// the second return), for the command what.
func phoneClient(cfg Config, phone, what string) (*telegram.Client, string, error) {
	p, ok := normalizePhone(phone)
	if !ok {
		return nil, "", fmt.Errorf("testdc: %s: bad phone %q", what, phone)
	}
	opts, err := cfg.ClientOptions()
	if err != nil {
		return nil, "", fmt.Errorf("testdc: %s: %w", what, err)
	}
	opts.DC = phoneDC(p)
	return telegram.NewClient(scanAppID, scanAppHash, opts), p, nil
}

// The scanning client's API credentials (the test DC accepts any).
const (
	scanAppID   = 17349
	scanAppHash = "testdc-scan"
)

// scanner answers gotd's auth.Flow with the test-DC code of its phone.
type scanner struct {
	phone    string
	password string
}

func (s scanner) Phone(context.Context) (string, error) { return s.phone, nil }

func (s scanner) Password(context.Context) (string, error) {
	if s.password == "" {
		return "", auth.ErrPasswordNotProvided
	}
	return s.password, nil
}

func (s scanner) AcceptTermsOfService(context.Context, tg.HelpTermsOfService) error { return nil }

func (s scanner) SignUp(context.Context) (auth.UserInfo, error) {
	return auth.UserInfo{}, errors.New("account not registered: Scan does not sign up")
}

func (s scanner) Code(_ context.Context, sent *tg.AuthSentCode) (string, error) {
	n := loginCodeLength
	if l, ok := sent.Type.(interface{ GetLength() int }); ok {
		n = l.GetLength()
	}
	return strings.Repeat(digitCode(phoneDC(s.phone), 1), n), nil
}
