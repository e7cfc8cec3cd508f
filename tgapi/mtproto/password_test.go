package mtproto

import (
	"testing"

	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

// signInTo2FA sends a code to phone and enters it, which a 2FA account answers with
// SESSION_PASSWORD_NEEDED.
func signInTo2FA(t *testing.T, a tgapi.API, phone, code string) {
	t.Helper()
	sent := sendCode(t, a, phone)
	_, err := call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{Phone: phone, PhoneCodeHash: sent.PhoneCodeHash, Code: code})
	wantRPCError(t, err, 401, "SESSION_PASSWORD_NEEDED")
}

func TestTwoFactorPassword(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	a := connect(t, newConnector(t, opts), "login-2fa", &memSessions{})
	signInTo2FA(t, a, phone2FA, "22222")

	info, err := call[tgapi.PasswordInfo](testCtx(t), a, tgapi.GetPassword{})
	want := tgapi.PasswordInfo{HasPassword: true, Hint: "battery staple", HasRecovery: true}
	if err != nil || info != want {
		t.Fatalf("GetPassword = %+v, %v; want %+v", info, err, want)
	}

	_, err = call[tgapi.User](testCtx(t), a, tgapi.CheckPassword{Password: "wrong horse"})
	wantRPCError(t, err, 400, "PASSWORD_HASH_INVALID")

	u, err := call[tgapi.User](testCtx(t), a, tgapi.CheckPassword{Password: password2FA})
	if err != nil || u.Phone != phone2FA {
		t.Fatalf("CheckPassword = %+v, %v", u, err)
	}
	if self, err := call[tgapi.User](testCtx(t), a, tgapi.GetSelf{}); err != nil || self.ID != u.ID {
		t.Fatalf("GetSelf = %+v, %v", self, err)
	}
}

func TestPasswordRecovery(t *testing.T) {
	t.Parallel()
	_, opts := oneAccount(t, testdc.Account{Phone: phone2FARecovery, Password: password2FA, RecoveryEmail: "grace@example.com"})
	a := connect(t, newConnector(t, opts), "login-recovery", &memSessions{})
	signInTo2FA(t, a, phone2FARecovery, "22222")

	rec, err := call[tgapi.PasswordRecovery](testCtx(t), a, tgapi.RequestPasswordRecovery{})
	if err != nil || rec.EmailPattern != "g***@example.com" {
		t.Fatalf("RequestPasswordRecovery = %+v, %v", rec, err)
	}
	_, err = call[tgapi.User](testCtx(t), a, tgapi.RecoverPassword{Code: "000000"})
	wantRPCError(t, err, 400, "CODE_INVALID")
	u, err := call[tgapi.User](testCtx(t), a, tgapi.RecoverPassword{Code: "222222"})
	if err != nil || u.Phone != phone2FARecovery {
		t.Fatalf("RecoverPassword = %+v, %v", u, err)
	}
}
