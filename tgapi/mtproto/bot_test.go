package mtproto

import (
	"testing"

	"github.com/tgauth/tgauth/tgapi"
)

func TestBotToken(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	a := connect(t, newConnector(t, opts), "login-bot", &memSessions{})

	_, err := call[tgapi.User](testCtx(t), a, tgapi.ImportBotAuthorization{Token: "not-a-token"})
	wantRPCError(t, err, 400, "ACCESS_TOKEN_INVALID")

	u, err := call[tgapi.User](testCtx(t), a, tgapi.ImportBotAuthorization{Token: "4242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"})
	if err != nil || !u.Bot || u.ID != 4242 {
		t.Fatalf("ImportBotAuthorization = %+v, %v", u, err)
	}
	if self, err := call[tgapi.User](testCtx(t), a, tgapi.GetSelf{}); err != nil || self != u {
		t.Fatalf("GetSelf = %+v, %v; want %+v", self, err, u)
	}
}
