package e2e_test

import (
	"context"
	"testing"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/auth"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

// The account task benchmarks compare listing the sessions as an engine task (input,
// write-ahead, account.getAuthorizations, outcome persisted; memory store) with the bare
// call on a gotd client, on the same test DC and an authorized session in both.

// BenchmarkListSessionsEngine: ListSessions through the engine.
func BenchmarkListSessionsEngine(b *testing.B) {
	_, cfg := benchDC(b)
	keys, err := cfg.PublicKeys()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	conn := mtproto.NewConnector(mtproto.Options{AppID: 1, AppHash: "bench", DCList: cfg.DCList(), PublicKeys: keys, Resolver: cfg.Resolver()})
	defer conn.Close()
	eng, err := machine.New(machine.Options{Store: memory.New(), Telegram: conn})
	if err != nil {
		b.Fatal(err)
	}
	snap, err := eng.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: phone(false, 0)}})
	if err == nil {
		snap, err = eng.Send(ctx, snap.ID, machine.SubmitCode{Code: "22222"})
	}
	if err != nil || snap.State != states.Authorized {
		b.Fatalf("login: %s, %v", snap.State, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if snap, err = eng.Send(ctx, snap.ID, machine.ListSessions{}); err != nil || snap.Prompt.Account == nil {
			b.Fatalf("list sessions: %v", err)
		}
	}
}

// BenchmarkListSessionsGotd: account.getAuthorizations on a gotd client.
func BenchmarkListSessionsGotd(b *testing.B) {
	_, cfg := benchDC(b)
	opts, err := cfg.ClientOptions()
	if err != nil {
		b.Fatal(err)
	}
	client := telegram.NewClient(1, "bench", opts)
	p := phone(false, 1)
	err = client.Run(context.Background(), func(ctx context.Context) error {
		sent, err := client.Auth().SendCode(ctx, p, auth.SendCodeOptions{})
		if err != nil {
			return err
		}
		hash := sent.(interface{ GetPhoneCodeHash() string }).GetPhoneCodeHash()
		if _, err := client.Auth().SignIn(ctx, p, "22222", hash); err != nil {
			return err
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := client.API().AccountGetAuthorizations(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
