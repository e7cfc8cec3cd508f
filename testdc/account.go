package testdc

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
)

// This file is the account side of the test DC: each account's authorizations (its
// sessions), the 24-hour rule of terminating them, unconfirmed new sessions, the 2FA
// password's settings with its recovery e-mail confirmation, and leaked sign-in codes.

// freshAge is how old a session must be to terminate others
// (FRESH_RESET_AUTHORISATION_FORBIDDEN before).
const freshAge = 24 * time.Hour

// authorization is one session of an account: an authorized auth key, or an older one
// of the world file (key zero: no client holds it).
type authorization struct {
	hash        int64
	key         [8]byte
	client      clientInfo
	created     time.Time
	active      time.Time
	unconfirmed bool
	ip, country string
	region      string
}

// clientInfo is what a client said of itself in initConnection.
type clientInfo struct {
	apiID                   int
	device, system, version string
	platform, app           string
}

// pendingPassword is a password change waiting for its recovery e-mail's code.
type pendingPassword struct {
	pass  *password // nil: the password stays as it is
	hint  string
	email string
}

// WorldSession is an older session of an Account: another device logged in before the
// test starts.
type WorldSession struct {
	// Hash names the session (default: its position in the list, from 1).
	Hash int64 `json:"hash,omitempty"`
	// Device, Platform, App and AppVersion describe the client (defaults: "Test Phone",
	// "ios", "Telegram iOS", "11.0").
	Device     string `json:"device,omitempty"`
	Platform   string `json:"platform,omitempty"`
	App        string `json:"app,omitempty"`
	AppVersion string `json:"app_version,omitempty"`
	// Country and Region say where it is (defaults: "Test DC", "Loopback").
	Country string `json:"country,omitempty"`
	Region  string `json:"region,omitempty"`
	// Age is how long ago it logged in, a Go duration ("72h"; default 30 days).
	Age string `json:"age,omitempty"`
	// Unconfirmed marks a new login the account has not confirmed yet.
	Unconfirmed bool `json:"unconfirmed,omitempty"`
}

func (w WorldSession) validate() error {
	if w.Age != "" {
		if d, err := time.ParseDuration(w.Age); err != nil || d < 0 {
			return fmt.Errorf("session age %q: want a duration like 72h", w.Age)
		}
	}
	return nil
}

// addWorldSessions gives acc the older sessions of its world entry; ageOfNew, when
// set, dates every new login of acc that far back.
func (s *state) addWorldSessions(acc *account, sessions []WorldSession, ageOfNew string) {
	now := s.now()
	for i, w := range sessions {
		age := 30 * 24 * time.Hour
		if w.Age != "" {
			age, _ = time.ParseDuration(w.Age)
		}
		a := &authorization{hash: w.Hash, created: now.Add(-age), active: now.Add(-age / 2), unconfirmed: w.Unconfirmed,
			client:  clientInfo{device: or(w.Device, "Test Phone"), platform: or(w.Platform, "ios"), app: or(w.App, "Telegram iOS"), version: or(w.AppVersion, "11.0")},
			country: or(w.Country, "Test DC"), region: or(w.Region, "Loopback"), ip: "127.0.0." + strconv.Itoa(i+2)}
		if a.hash == 0 {
			a.hash = int64(i + 1)
		}
		acc.auths = append(acc.auths, a)
	}
	acc.newSessionAge, _ = time.ParseDuration(ageOfNew)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// authorization records the calling key's new session of acc: unconfirmed when acc has
// other sessions already (the new device must be confirmed from one of them).
func (s *state) authorization(c call, acc *account) {
	k := s.key(c)
	s.dropAuthorization(c.key)
	now := s.now()
	a := &authorization{hash: int64(binary.LittleEndian.Uint64(randomBytes(8)) >> 1), key: c.key, client: k.client,
		created: now.Add(-acc.newSessionAge), active: now, unconfirmed: len(acc.auths) > 0,
		ip: "127.0.0.1", country: "Test DC", region: "Loopback"}
	acc.auths = append(acc.auths, a)
	k.revoked = false
}

// dropAuthorization forgets the session of key, if any.
func (s *state) dropAuthorization(key [8]byte) {
	for _, acc := range s.users {
		acc.auths = slices.DeleteFunc(acc.auths, func(a *authorization) bool { return a.key == key })
	}
}

// terminate ends a session: its key, if a client holds it, answers SESSION_REVOKED
// from now on.
func (s *state) terminate(acc *account, a *authorization) {
	acc.auths = slices.DeleteFunc(acc.auths, func(b *authorization) bool { return b == a })
	if k, ok := s.keys[a.key]; ok && a.key != ([8]byte{}) {
		k.userID, k.revoked = 0, true
	}
}

// current is the calling key's authorization of its account, with the account: 401
// AUTH_KEY_UNREGISTERED (SESSION_REVOKED once terminated) for a key that is not
// authorized.
func (s *state) current(c call) (*account, *authorization, error) {
	acc, err := s.self(c)
	if err != nil {
		return nil, nil, err
	}
	for _, a := range acc.auths {
		if a.key == c.key {
			a.active = s.now()
			return acc, a, nil
		}
	}
	return nil, nil, errUnregistered
}

// mayTerminate applies the 24-hour rule to the calling session.
func (s *state) mayTerminate(me *authorization) error {
	if s.now().Sub(me.created) < freshAge {
		return tgerr.New(406, "FRESH_RESET_AUTHORISATION_FORBIDDEN")
	}
	return nil
}

var errSessionRevoked = tgerr.New(401, "SESSION_REVOKED")

func (d *DC) registerAccount(r *tg.ServerDispatcher) {
	r.OnAccountGetAuthorizations(d.getAuthorizations)
	r.OnAccountResetAuthorization(d.resetAuthorization)
	r.OnAuthResetAuthorizations(d.resetAuthorizations)
	r.OnAccountChangeAuthorizationSettings(d.changeAuthorizationSettings)
	r.OnAccountInvalidateSignInCodes(d.invalidateSignInCodes)
	r.OnAccountUpdatePasswordSettings(d.updatePasswordSettings)
	r.OnAccountConfirmPasswordEmail(d.confirmPasswordEmail)
	r.OnAccountResendPasswordEmail(d.resendPasswordEmail)
	r.OnAccountCancelPasswordEmail(d.cancelPasswordEmail)
}

// getAuthorizations lists the account's sessions, the caller's first with hash 0 and
// current set.
func (d *DC) getAuthorizations(ctx context.Context) (*tg.AccountAuthorizations, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	acc, me, err := s.current(c)
	if err != nil {
		return nil, err
	}
	out := &tg.AccountAuthorizations{AuthorizationTTLDays: 180}
	for _, a := range append([]*authorization{me}, slices.DeleteFunc(slices.Clone(acc.auths), func(a *authorization) bool { return a == me })...) {
		t := tg.Authorization{Hash: a.hash, Current: a == me, Unconfirmed: a.unconfirmed, OfficialApp: a.key == ([8]byte{}),
			DeviceModel: a.client.device, Platform: a.client.platform, SystemVersion: a.client.system,
			APIID: a.client.apiID, AppName: a.client.app, AppVersion: a.client.version,
			DateCreated: int(a.created.Unix()), DateActive: int(a.active.Unix()), IP: a.ip, Country: a.country, Region: a.region}
		if a == me {
			t.Hash = 0
		}
		out.Authorizations = append(out.Authorizations, t)
	}
	return out, nil
}

// session finds a session of acc by hash: HASH_INVALID for none (and for 0, the
// caller's own).
func (s *state) session(acc *account, hash int64) (*authorization, error) {
	for _, a := range acc.auths {
		if hash != 0 && a.hash == hash {
			return a, nil
		}
	}
	return nil, tgerr.New(400, "HASH_INVALID")
}

// asSelf runs f under the state's lock on the calling session and its account, and
// answers Telegram's Bool: 401 AUTH_KEY_UNREGISTERED (SESSION_REVOKED once terminated)
// for a key that is not authorized, else f's error.
func (d *DC) asSelf(ctx context.Context, f func(s *state, c call, acc *account, me *authorization) error) (bool, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	acc, me, err := s.current(c)
	if err == nil {
		err = f(s, c, acc, me)
	}
	return err == nil, err
}

// resetAuthorization terminates one session: HASH_INVALID for an unknown one (or the
// caller's own), FRESH_RESET_AUTHORISATION_FORBIDDEN while the caller is less than 24
// hours old.
func (d *DC) resetAuthorization(ctx context.Context, hash int64) (bool, error) {
	return d.asSelf(ctx, func(s *state, _ call, acc *account, me *authorization) error {
		a, err := s.session(acc, hash)
		if err != nil || a == me {
			return tgerr.New(400, "HASH_INVALID")
		}
		if err := s.mayTerminate(me); err != nil {
			return err
		}
		s.terminate(acc, a)
		return nil
	})
}

// resetAuthorizations terminates every session but the caller's, once the caller is 24
// hours old.
func (d *DC) resetAuthorizations(ctx context.Context) (bool, error) {
	return d.asSelf(ctx, func(s *state, _ call, acc *account, me *authorization) error {
		if err := s.mayTerminate(me); err != nil {
			return err
		}
		for _, a := range slices.Clone(acc.auths) {
			if a != me {
				s.terminate(acc, a)
			}
		}
		return nil
	})
}

// changeAuthorizationSettings with confirmed=true confirms an unconfirmed session
// (HASH_INVALID for an unknown one); the other settings are accepted and ignored.
func (d *DC) changeAuthorizationSettings(ctx context.Context, req *tg.AccountChangeAuthorizationSettingsRequest) (bool, error) {
	return d.asSelf(ctx, func(s *state, _ call, acc *account, _ *authorization) error {
		a, err := s.session(acc, req.Hash)
		if err == nil && req.Confirmed {
			a.unconfirmed = false
		}
		return err
	})
}

// invalidateSignInCodes kills the account's live login codes that are among codes: a
// code that leaked can no longer sign in (PHONE_CODE_EXPIRED).
func (d *DC) invalidateSignInCodes(ctx context.Context, codes []string) (bool, error) {
	return d.asSelf(ctx, func(s *state, _ call, acc *account, _ *authorization) error {
		if slices.Contains(codes, digitCode(acc.dc, loginCodeLength)) {
			for _, sc := range s.codes {
				if sc.acc == acc {
					sc.dead = true
				}
			}
		}
		return nil
	})
}

// updatePasswordSettings sets, changes or removes the password of the caller's account:
// the current password is proven with SRP against the caller's last account.getPassword
// (inputCheckPasswordEmpty when there is none; else SRP_ID_INVALID or
// PASSWORD_HASH_INVALID); new_algo passwordKdfAlgoUnknown with an empty hash removes it
// (with its hint and recovery e-mail), NEW_SETTINGS_EMPTY when there is none; a new
// password comes as its verifier (NEW_SETTINGS_INVALID for another algorithm). With an
// e-mail, the change waits for the code "mailed" there (the DC digit six times):
// EMAIL_UNCONFIRMED_6, then account.confirmPasswordEmail.
func (d *DC) updatePasswordSettings(ctx context.Context, req *tg.AccountUpdatePasswordSettingsRequest) (bool, error) {
	return d.asSelf(ctx, func(s *state, c call, acc *account, _ *authorization) error {
		if err := s.provePassword(c, acc, req.Password); err != nil {
			return err
		}
		settings := req.NewSettings
		change := pendingPassword{hint: settings.Hint, email: settings.Email}
		switch settings.NewAlgo.(type) {
		case nil:
			change.pass, change.hint = acc.pass, acc.hint // only the e-mail changes
		case *tg.PasswordKdfAlgoUnknown:
			if acc.pass == nil {
				return tgerr.New(400, "NEW_SETTINGS_EMPTY")
			}
		default:
			var err error
			if change.pass, err = passwordFromSettings(settings); err != nil {
				return err
			}
		}
		if change.email != "" && change.pass != nil {
			acc.pendingPass = &change
			return tgerr.New(400, "EMAIL_UNCONFIRMED_"+strconv.Itoa(mailCodeLength))
		}
		acc.pendingPass = nil
		acc.pass, acc.hint = change.pass, change.hint
		if acc.pass == nil {
			acc.hint, acc.recoveryEmail = "", ""
		}
		return nil
	})
}

// provePassword checks the current password of acc, as auth.checkPassword does.
func (s *state) provePassword(c call, acc *account, in tg.InputCheckPasswordSRPClass) error {
	proof, ok := in.(*tg.InputCheckPasswordSRP)
	switch {
	case acc.pass == nil && !ok:
		return nil
	case acc.pass == nil || !ok:
		return errPasswordInvalid
	}
	k := s.key(c)
	if k.srp == nil || k.srp.id != proof.SRPID || k.srp.pass != acc.pass {
		return tgerr.New(400, "SRP_ID_INVALID")
	}
	if !k.srp.verify(proof.A, proof.M1) {
		return errPasswordInvalid
	}
	return nil
}

// onPending runs f on the password change of the caller's account waiting for its
// e-mail's code: EMAIL_HASH_EXPIRED when there is none.
func (d *DC) onPending(ctx context.Context, f func(acc *account, p *pendingPassword) error) (bool, error) {
	return d.asSelf(ctx, func(_ *state, _ call, acc *account, _ *authorization) error {
		if acc.pendingPass == nil {
			return tgerr.New(400, "EMAIL_HASH_EXPIRED")
		}
		return f(acc, acc.pendingPass)
	})
}

// confirmPasswordEmail applies the waiting change with the e-mail's code (CODE_INVALID
// when wrong): the new password, hint and recovery e-mail.
func (d *DC) confirmPasswordEmail(ctx context.Context, code string) (bool, error) {
	return d.onPending(ctx, func(acc *account, p *pendingPassword) error {
		if code != digitCode(acc.dc, mailCodeLength) {
			return tgerr.New(400, "CODE_INVALID")
		}
		acc.pass, acc.hint, acc.recoveryEmail, acc.pendingPass = p.pass, p.hint, p.email, nil
		return nil
	})
}

// resendPasswordEmail "mails" the same code again.
func (d *DC) resendPasswordEmail(ctx context.Context) (bool, error) {
	return d.onPending(ctx, func(*account, *pendingPassword) error { return nil })
}

// cancelPasswordEmail drops the waiting change: the password stays as it was.
func (d *DC) cancelPasswordEmail(ctx context.Context) (bool, error) {
	return d.onPending(ctx, func(acc *account, _ *pendingPassword) error {
		acc.pendingPass = nil
		return nil
	})
}

// noteClients records, per auth key, what a client says of itself in initConnection
// (inside invokeWithLayer): the device and app its sessions list shows.
func (d *DC) noteClients(next tgtest.Handler) tgtest.Handler {
	return tgtest.HandlerFunc(func(srv *tgtest.Server, req *tgtest.Request) error {
		if info, ok := initConnection(req.Buf.Buf); ok {
			s := d.st
			s.mu.Lock()
			s.key(call{key: req.Session.AuthKey.ID}).client = info
			s.mu.Unlock()
		}
		return next.OnMessage(srv, req)
	})
}

// initConnection reads the client's initConnection from a request, leaving the request
// as it is; ok is false for any request without one.
func initConnection(raw []byte) (clientInfo, bool) {
	b := &bin.Buffer{Buf: raw}
	if err := b.ConsumeID(tg.InvokeWithLayerRequestTypeID); err != nil {
		return clientInfo{}, false
	}
	if _, err := b.Int(); err != nil {
		return clientInfo{}, false
	}
	r := tg.InitConnectionRequest{Query: skipQuery{}}
	if err := r.Decode(b); err != nil {
		return clientInfo{}, false
	}
	return clientInfo{apiID: r.APIID, device: r.DeviceModel, system: r.SystemVersion, version: r.AppVersion,
		platform: "gotd", app: "app " + strconv.Itoa(r.APIID)}, true
}

// skipQuery stands for the query initConnection wraps, which initConnection does not read.
type skipQuery struct{}

func (skipQuery) Decode(*bin.Buffer) error { return nil }
func (skipQuery) Encode(*bin.Buffer) error { return nil }
