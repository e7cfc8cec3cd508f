package e2e_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

// The login benchmarks compare a complete login through the tgauth engine (memory store,
// MTProto through tgapi/mtproto) with gotd's own auth.Flow, on the same test DC in the
// same run. Each iteration is a new auth key, as a new login is: connect, key exchange,
// sendCode, signIn (and getPassword + checkPassword), close.

const benchPassword = "bench-pw"

func benchDC(b *testing.B) (*testdc.DC, testdc.Config) {
	b.Helper()
	var accounts []testdc.Account
	for i := 0; i < benchAccounts; i++ {
		accounts = append(accounts, testdc.Account{Phone: fmt.Sprintf("999662%04d", i), Password: benchPassword})
	}
	dc, err := testdc.Start(b.Context(), testdc.Options{World: testdc.World{Accounts: accounts}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = dc.Close() })
	return dc, dc.Config()
}

// benchAccounts is how many 2FA accounts the world holds: 9996620000 and up. Phones from
// 9996625000 up are implicit accounts without a password.
const benchAccounts = 200

// phone hands out test phones on DC 2: 2FA ones from the world, or plain implicit ones.
func phone(twoFA bool, i int) string {
	if twoFA {
		return fmt.Sprintf("+999662%04d", i%benchAccounts)
	}
	return fmt.Sprintf("+999662%04d", 5000+i%5000)
}

func benchEngine(b *testing.B, twoFA bool) {
	_, cfg := benchDC(b)
	keys, err := cfg.PublicKeys()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		conn := mtproto.NewConnector(mtproto.Options{AppID: 1, AppHash: "bench", DCList: cfg.DCList(), PublicKeys: keys, Resolver: cfg.Resolver()})
		eng, err := machine.New(machine.Options{Store: memory.New(), Telegram: conn})
		if err != nil {
			b.Fatal(err)
		}
		p := phone(twoFA, i)
		i++
		snap, err := eng.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: p}})
		if err != nil {
			b.Fatal(err)
		}
		snap, err = eng.Send(ctx, snap.ID, machine.SubmitCode{Code: "22222"})
		if twoFA && err == nil {
			snap, err = eng.Send(ctx, snap.ID, machine.SubmitPassword{Password: benchPassword})
		}
		if err != nil || snap.State != states.Authorized {
			b.Fatalf("login %s ended %s: %v", p, snap.State, err)
		}
		_ = conn.Close()
	}
}

func benchGotdFlow(b *testing.B, twoFA bool) {
	_, cfg := benchDC(b)
	opts, err := cfg.ClientOptions()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := phone(twoFA, i)
		i++
		client := telegram.NewClient(1, "bench", opts)
		code := auth.CodeAuthenticatorFunc(func(context.Context, *tg.AuthSentCode) (string, error) { return "22222", nil })
		flow := auth.NewFlow(auth.Constant(p, benchPassword, code), auth.SendCodeOptions{})
		if err := client.Run(ctx, func(ctx context.Context) error { return client.Auth().IfNecessary(ctx, flow) }); err != nil {
			b.Fatalf("gotd flow for %s: %v", p, err)
		}
	}
}

// BenchmarkLoginEngine: phone + code through the tgauth engine.
func BenchmarkLoginEngine(b *testing.B) { benchEngine(b, false) }

// BenchmarkLoginGotdFlow: phone + code through gotd's auth.Flow.
func BenchmarkLoginGotdFlow(b *testing.B) { benchGotdFlow(b, false) }

// BenchmarkLogin2FAEngine: phone + code + 2FA password through the tgauth engine.
func BenchmarkLogin2FAEngine(b *testing.B) { benchEngine(b, true) }

// BenchmarkLogin2FAGotdFlow: phone + code + 2FA password through gotd's auth.Flow.
func BenchmarkLogin2FAGotdFlow(b *testing.B) { benchGotdFlow(b, true) }
