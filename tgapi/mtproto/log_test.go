package mtproto

import (
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/internal/syncbuf"
	"github.com/tgauth/tgauth/tgapi"
)

// TestNoSecretsInLogsOrErrors runs code, password and bot logins with debug logs on and
// checks that no code, password, token or auth key shows up in a log line or an error.
func TestNoSecretsInLogsOrErrors(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	var logs syncbuf.Buffer
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newConnector(t, opts)

	var errs []string
	note := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	const (
		phone     = "9996630009" // on DC 3: the login migrates
		wrongCode = "13579"
		rightCode = "33333"
		wrongPass = "tr0ub4dor&3"
		botSecret = "Zx9Qw8Er7Ty6Ui5Op4"
	)
	sessions := &memSessions{}
	a := connect(t, c, "login-secrets", sessions)
	sent := sendCode(t, a, phone)
	hash := sent.PhoneCodeHash
	_, err := call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{Phone: phone, PhoneCodeHash: hash, Code: wrongCode})
	note(err)
	_, err = call[tgapi.User](testCtx(t), a, tgapi.CheckPassword{Password: wrongPass})
	note(err)
	_, err = call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{Phone: phone, PhoneCodeHash: hash, Code: rightCode})
	note(err)
	_, err = call[tgapi.User](testCtx(t), a, tgapi.RecoverPassword{Code: "246810"})
	note(err)

	b := connect(t, c, "login-secrets-bot", &memSessions{})
	_, err = call[tgapi.User](testCtx(t), b, tgapi.ImportBotAuthorization{Token: "77:" + botSecret[:4]})
	note(err)
	_, err = call[tgapi.User](testCtx(t), b, tgapi.ImportBotAuthorization{Token: "77:" + botSecret})
	note(err)
	tok, err := call[tgapi.LoginToken](testCtx(t), b, tgapi.ExportLoginToken{})
	note(err)

	key := sessions.decoded(t).AuthKey
	secrets := map[string]string{
		"wrong code":      wrongCode,
		"right code":      rightCode,
		"password":        wrongPass,
		"recovery code":   "246810",
		"bot secret":      botSecret,
		"bot secret head": botSecret[:4],
		"auth key hex":    hex.EncodeToString(key[:16]),
		"auth key b64":    base64.StdEncoding.EncodeToString(key[:16]),
	}
	if len(tok.Token) > 0 {
		secrets["login token"] = base64.URLEncoding.EncodeToString(tok.Token)
		secrets["login token hex"] = hex.EncodeToString(tok.Token)
	}
	all := logs.String() + "\n" + strings.Join(errs, "\n")
	if !strings.Contains(logs.String(), "login-secrets") {
		t.Fatalf("no debug logs captured:\n%s", logs.String())
	}
	for name, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("%s %q appears in logs or errors", name, s)
		}
	}
	t.Logf("%d log lines, %d errors checked: %q", strings.Count(logs.String(), "\n"), len(errs), errs)
}
