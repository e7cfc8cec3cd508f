package mtproto

import (
	"testing"
	"time"

	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

// exportToken calls auth.exportLoginToken and wants a token to show.
func exportToken(t *testing.T, a tgapi.API) tgapi.LoginToken {
	t.Helper()
	tok, err := call[tgapi.LoginToken](testCtx(t), a, tgapi.ExportLoginToken{})
	if err != nil {
		t.Fatalf("ExportLoginToken: %v", err)
	}
	if len(tok.Token) == 0 || !tok.Expires.After(time.Now()) || tok.MigrateDC != 0 || tok.Authorized != nil {
		t.Fatalf("ExportLoginToken = %+v, want a live token", tok)
	}
	return tok
}

// update is one delivery to an OnUpdate subscriber.
type update struct {
	loginID string
	u       tgapi.Update
}

// subscribe makes c deliver its updates to the returned channel.
func subscribe(c *Connector) <-chan update {
	ch := make(chan update, 4)
	c.OnUpdate(func(loginID string, u tgapi.Update) { ch <- update{loginID, u} })
	return ch
}

// wantUpdate waits for updateLoginToken of loginID on ch.
func wantUpdate(t *testing.T, ch <-chan update, loginID string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != (update{loginID, tgapi.LoginTokenUpdated}) {
			t.Errorf("update %+v, want %s of %s", got, tgapi.LoginTokenUpdated, loginID)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("no updateLoginToken of %s delivered to the subscriber", loginID)
	}
}

// TestQRSameDC: the token is accepted by an account of the same DC; the subscriber, set
// after the client started, gets updateLoginToken, and the next export authorizes.
func TestQRSameDC(t *testing.T) {
	t.Parallel()
	d, opts := sharedDC(t)
	c := newConnector(t, opts)
	a := connect(t, c, "login-qr", &memSessions{})
	updates := subscribe(c)

	tok := exportToken(t, a)
	if err := testdc.Scan(testCtx(t), d.Config(), "9996621001", "", loginURL(tok.Token)); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	wantUpdate(t, updates, "login-qr")

	res, err := call[tgapi.LoginToken](testCtx(t), a, tgapi.ExportLoginToken{})
	if err != nil || res.Authorized == nil || res.Authorized.Phone != "9996621001" {
		t.Fatalf("ExportLoginToken after scan = %+v, %v", res, err)
	}
	if a.DC() != 2 {
		t.Errorf("DC() = %d, want 2", a.DC())
	}
}

// TestQRMigrate: the token is accepted by an account of DC 3; the subscriber, set before
// any client ran, gets updateLoginToken; export answers loginTokenMigrateTo 3 and
// auth.importLoginToken on DC 3 leaves the session there.
func TestQRMigrate(t *testing.T) {
	t.Parallel()
	d, opts := sharedDC(t)
	c := newConnector(t, opts)
	updates := subscribe(c)
	sessions := &memSessions{}
	a := connect(t, c, "login-qr-migrate", sessions)

	tok := exportToken(t, a)
	if err := testdc.Scan(testCtx(t), d.Config(), "9996631002", "", loginURL(tok.Token)); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	wantUpdate(t, updates, "login-qr-migrate")
	mig, err := call[tgapi.LoginToken](testCtx(t), a, tgapi.ExportLoginToken{})
	if err != nil || mig.MigrateDC != 3 || len(mig.Token) == 0 {
		t.Fatalf("ExportLoginToken after scan = %+v, %v; want migrate to DC 3", mig, err)
	}
	if a.DC() != 2 {
		t.Fatalf("DC() before import = %d, want 2", a.DC())
	}
	res, err := call[tgapi.LoginToken](testCtx(t), a, tgapi.ImportLoginToken{DC: mig.MigrateDC, Token: mig.Token})
	if err != nil || res.Authorized == nil || res.Authorized.Phone != "9996631002" {
		t.Fatalf("ImportLoginToken = %+v, %v", res, err)
	}
	if a.DC() != 3 || sessions.decoded(t).DC != 3 {
		t.Fatalf("after import: DC() = %d, stored DC %d; want 3", a.DC(), sessions.decoded(t).DC)
	}
	if self, err := call[tgapi.User](testCtx(t), a, tgapi.GetSelf{}); err != nil || self.Phone != "9996631002" {
		t.Fatalf("GetSelf on DC 3 = %+v, %v", self, err)
	}
}

// TestQRMigrateThen2FA: importing a token of a 2FA account answers
// SESSION_PASSWORD_NEEDED, and the password is checked on the new DC. Nobody subscribed to
// updates: updateLoginToken is dropped.
func TestQRMigrateThen2FA(t *testing.T) {
	t.Parallel()
	d, opts := sharedDC(t)
	a := connect(t, newConnector(t, opts), "login-qr-2fa", &memSessions{})

	tok := exportToken(t, a)
	if err := testdc.Scan(testCtx(t), d.Config(), phone2FAOnDC3, password2FA, loginURL(tok.Token)); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	mig, err := call[tgapi.LoginToken](testCtx(t), a, tgapi.ExportLoginToken{})
	if err != nil || mig.MigrateDC != 3 {
		t.Fatalf("ExportLoginToken after scan = %+v, %v", mig, err)
	}
	_, err = call[tgapi.LoginToken](testCtx(t), a, tgapi.ImportLoginToken{DC: mig.MigrateDC, Token: mig.Token})
	wantRPCError(t, err, 401, "SESSION_PASSWORD_NEEDED")
	if a.DC() != 3 {
		t.Fatalf("DC() = %d, want 3", a.DC())
	}
	u, err := call[tgapi.User](testCtx(t), a, tgapi.CheckPassword{Password: password2FA})
	if err != nil || u.Phone != phone2FAOnDC3 {
		t.Fatalf("CheckPassword = %+v, %v", u, err)
	}
}
