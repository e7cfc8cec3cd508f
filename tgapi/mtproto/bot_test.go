package mtproto

import (
	"testing"
)

func TestBotToken(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	a := connect(t, newConnector(t, opts), "login-bot", &memSessions{})

	_, err := a.ImportBotAuthorization(testCtx(t), "not-a-token")
	wantRPCError(t, err, 400, "ACCESS_TOKEN_INVALID")

	u, err := a.ImportBotAuthorization(testCtx(t), "4242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
	if err != nil || !u.Bot || u.ID != 4242 {
		t.Fatalf("ImportBotAuthorization = %+v, %v", u, err)
	}
	if self, err := a.Self(testCtx(t)); err != nil || self != u {
		t.Fatalf("Self = %+v, %v; want %+v", self, err, u)
	}
}
