package mtproto

import (
	"testing"
	"time"

	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

// exportToken calls ExportLoginToken and wants a token to show.
func exportToken(t *testing.T, a tgapi.API) tgapi.LoginToken {
	t.Helper()
	tok, err := a.ExportLoginToken(testCtx(t))
	if err != nil {
		t.Fatalf("ExportLoginToken: %v", err)
	}
	if len(tok.Token) == 0 || !tok.Expires.After(time.Now()) || tok.MigrateDC != 0 || tok.Authorized != nil {
		t.Fatalf("ExportLoginToken = %+v, want a live token", tok)
	}
	return tok
}

func TestQRSameDC(t *testing.T) {
	t.Parallel()
	d, opts := sharedDC(t)
	notified := make(chan string, 4)
	opts.OnLoginToken = func(loginID string) { notified <- loginID }
	a := connect(t, newConnector(t, opts), "login-qr", &memSessions{})

	tok := exportToken(t, a)
	if err := testdc.Scan(testCtx(t), d.Config(), "9996621001", "", loginURL(tok.Token)); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	select {
	case id := <-notified:
		if id != "login-qr" {
			t.Errorf("OnLoginToken(%q), want login-qr", id)
		}
	case <-time.After(10 * time.Second):
		t.Error("no updateLoginToken delivered to OnLoginToken")
	}

	res, err := a.ExportLoginToken(testCtx(t))
	if err != nil || res.Authorized == nil || res.Authorized.Phone != "9996621001" {
		t.Fatalf("ExportLoginToken after scan = %+v, %v", res, err)
	}
	if a.DC() != 2 {
		t.Errorf("DC() = %d, want 2", a.DC())
	}
}

// TestQRMigrate: the token is accepted by an account of DC 3; export answers
// loginTokenMigrateTo 3 and ImportLoginToken(3) leaves the session on DC 3.
func TestQRMigrate(t *testing.T) {
	t.Parallel()
	d, opts := sharedDC(t)
	sessions := &memSessions{}
	a := connect(t, newConnector(t, opts), "login-qr-migrate", sessions)

	tok := exportToken(t, a)
	if err := testdc.Scan(testCtx(t), d.Config(), "9996631002", "", loginURL(tok.Token)); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	mig, err := a.ExportLoginToken(testCtx(t))
	if err != nil || mig.MigrateDC != 3 || len(mig.Token) == 0 {
		t.Fatalf("ExportLoginToken after scan = %+v, %v; want migrate to DC 3", mig, err)
	}
	if a.DC() != 2 {
		t.Fatalf("DC() before import = %d, want 2", a.DC())
	}
	res, err := a.ImportLoginToken(testCtx(t), mig.MigrateDC, mig.Token)
	if err != nil || res.Authorized == nil || res.Authorized.Phone != "9996631002" {
		t.Fatalf("ImportLoginToken = %+v, %v", res, err)
	}
	if a.DC() != 3 || sessions.decoded(t).DC != 3 {
		t.Fatalf("after import: DC() = %d, stored DC %d; want 3", a.DC(), sessions.decoded(t).DC)
	}
	if self, err := a.Self(testCtx(t)); err != nil || self.Phone != "9996631002" {
		t.Fatalf("Self on DC 3 = %+v, %v", self, err)
	}
}

// TestQRMigrateThen2FA: importing a token of a 2FA account answers
// SESSION_PASSWORD_NEEDED, and the password is checked on the new DC.
func TestQRMigrateThen2FA(t *testing.T) {
	t.Parallel()
	d, opts := sharedDC(t)
	a := connect(t, newConnector(t, opts), "login-qr-2fa", &memSessions{})

	tok := exportToken(t, a)
	if err := testdc.Scan(testCtx(t), d.Config(), phone2FAOnDC3, password2FA, loginURL(tok.Token)); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	mig, err := a.ExportLoginToken(testCtx(t))
	if err != nil || mig.MigrateDC != 3 {
		t.Fatalf("ExportLoginToken after scan = %+v, %v", mig, err)
	}
	_, err = a.ImportLoginToken(testCtx(t), mig.MigrateDC, mig.Token)
	wantRPCError(t, err, 401, "SESSION_PASSWORD_NEEDED")
	if a.DC() != 3 {
		t.Fatalf("DC() = %d, want 3", a.DC())
	}
	u, err := a.CheckPassword(testCtx(t), password2FA)
	if err != nil || u.Phone != phone2FAOnDC3 {
		t.Fatalf("CheckPassword = %+v, %v", u, err)
	}
}
