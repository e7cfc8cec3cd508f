package testdc

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/gotd/log"

	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
)

// loginToken is a QR login token exported by auth.exportLoginToken.
type loginToken struct {
	token   []byte
	expires time.Time
	apiID   int
	// exporter is the session to push updateLoginToken to: the last one
	// that exported the token.
	srv      *tgtest.Server
	exporter tgtest.Session
	accepted *account // the user who accepted it, nil until then
	used     bool     // a login completed (or is waiting for the password)
}

func (d *DC) registerQR(r *tg.ServerDispatcher) {
	r.OnAuthExportLoginToken(d.exportLoginToken)
	r.OnAuthImportLoginToken(d.importLoginToken)
	r.OnAuthAcceptLoginToken(d.acceptLoginToken)
}

// exportLoginToken answers auth.loginToken (the key's current token while
// it is valid and not accepted, else a fresh one living QRTokenTTL); once
// the token is accepted, the result of loginTokenResult.
func (d *DC) exportLoginToken(ctx context.Context, req *tg.AuthExportLoginTokenRequest) (tg.AuthLoginTokenClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	k := s.key(c)
	if t := k.qr; t != nil {
		switch {
		case t.accepted != nil && !t.used:
			return s.loginTokenResult(c, t)
		case t.accepted == nil && s.now().Before(t.expires):
			t.srv, t.exporter = c.srv, c.session
			return &tg.AuthLoginToken{Expires: int(t.expires.Unix()), Token: t.token}, nil
		}
	}
	t := &loginToken{
		token:    randomBytes(32),
		expires:  s.now().Add(s.qrTTL),
		apiID:    req.APIID,
		srv:      c.srv,
		exporter: c.session,
	}
	k.qr = t
	s.tokens[string(t.token)] = t
	return &tg.AuthLoginToken{Expires: int(t.expires.Unix()), Token: t.token}, nil
}

// importLoginToken completes a login redirected by
// auth.loginTokenMigrateTo: AUTH_TOKEN_INVALID for an unknown or used
// token, AUTH_TOKEN_EXPIRED for an expired one, auth.loginToken while it is
// not accepted yet, else the result of loginTokenResult.
func (d *DC) importLoginToken(ctx context.Context, token []byte) (tg.AuthLoginTokenClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	t, ok := s.tokens[string(token)]
	switch {
	case !ok || t.used:
		return nil, errTokenInvalid
	case t.accepted != nil:
		return s.loginTokenResult(c, t)
	case !s.now().Before(t.expires):
		return nil, errTokenExpired
	default:
		return &tg.AuthLoginToken{Expires: int(t.expires.Unix()), Token: t.token}, nil
	}
}

// loginTokenResult is what an accepted token gives the key asking on this
// DC: auth.loginTokenMigrateTo when the accepting account lives on another
// DC; 401 SESSION_PASSWORD_NEEDED for a 2FA account (the key then goes
// through account.getPassword and auth.checkPassword); else
// auth.loginTokenSuccess, the key being authorized.
func (s *state) loginTokenResult(c call, t *loginToken) (tg.AuthLoginTokenClass, error) {
	acc := t.accepted
	if acc.dc != c.dc {
		return &tg.AuthLoginTokenMigrateTo{DCID: acc.dc, Token: t.token}, nil
	}
	t.used = true
	if acc.pass != nil {
		s.key(c).pending = acc
		return nil, errPasswordNeed
	}
	res := s.authorize(c, acc)
	acc.auths[len(acc.auths)-1].unconfirmed = false // a logged-in device approved it
	return &tg.AuthLoginTokenSuccess{Authorization: res}, nil
}

// acceptLoginToken, from an authorized key, accepts a token for its user
// and pushes updateShort{updateLoginToken} to the exporting session:
// AUTH_TOKEN_INVALID for an unknown token, AUTH_TOKEN_ALREADY_ACCEPTED,
// AUTH_TOKEN_EXPIRED. except_ids of the export are not checked.
func (d *DC) acceptLoginToken(ctx context.Context, token []byte) (*tg.Authorization, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	self, err := s.self(c)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	t, ok := s.tokens[string(token)]
	switch {
	case !ok:
		err = errTokenInvalid
	case t.accepted != nil:
		err = tgerr.New(400, "AUTH_TOKEN_ALREADY_ACCEPTED")
	case !s.now().Before(t.expires):
		err = errTokenExpired
	}
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	t.accepted = self
	now := s.now()
	srv, exporter, apiID := t.srv, t.exporter, t.apiID
	s.mu.Unlock()

	update := &tg.UpdateShort{Update: &tg.UpdateLoginToken{}, Date: int(now.Unix())}
	if err := srv.Send(ctx, exporter, tgtest.MessageFromServer, update); err != nil {
		// The exporter will see the acceptance on its next export.
		d.log.Debug(ctx, "Push updateLoginToken", log.Error(err))
	}
	return &tg.Authorization{
		Hash:          int64(binary.LittleEndian.Uint64(randomBytes(8)) >> 1),
		DeviceModel:   "testdc",
		Platform:      "testdc",
		SystemVersion: "1.0",
		APIID:         apiID,
		AppName:       "testdc QR login",
		AppVersion:    "1.0",
		DateCreated:   int(now.Unix()),
		DateActive:    int(now.Unix()),
		IP:            "127.0.0.1",
		Country:       "Test DC",
		Region:        "Loopback",
	}, nil
}

var (
	errTokenInvalid = tgerr.New(400, "AUTH_TOKEN_INVALID")
	errTokenExpired = tgerr.New(400, "AUTH_TOKEN_EXPIRED")
)
