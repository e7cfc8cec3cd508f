package e2e_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi/mtproto"
	"github.com/tgauth/tgauth/transitions"
)

// TestREADMEEmbeddingQRFinishesOnScan builds the engine as README.md's embedding example
// does (a store, mtproto.NewConnector, a TelegramID, go engine.Run; nothing wired for
// updates, no QRPoll), starts a QR login and has it scanned by a second real client. The
// README says the login then finishes as soon as the code is scanned, because the engine
// gets Telegram's updateLoginToken by itself.
//
// That is asserted by structure, not by timing a fast path: the test DC's tokens live
// 10 minutes, and with no QRPoll the engine asks for a token again only when it expires or
// when updateLoginToken arrives. So reaching Authorized within the bounded wait (60 s, far
// below the expiry) can only be the update's doing; the test also checks that the second
// export is the one the update fired (the journal's login_token_update) and that no timer
// exported a token.
func TestREADMEEmbeddingQRFinishesOnScan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		phone string // the scanning account
		dc    int    // where the login ends: the account's DC
		walk  string // the journal from the scan on
	}{
		{name: "same_DC", phone: "+9996625556", dc: 2,
			walk: "QRWaiting --login_token_update--> ExportingQR, ExportingQR --signed_in--> Authorized"},
		{name: "account_on_another_DC", phone: "+9996635557", dc: 3,
			walk: "QRWaiting --login_token_update--> ExportingQR, ExportingQR --qr_migrate--> ImportingQR, ImportingQR --signed_in--> Authorized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testREADMEQR(t, tc.phone, tc.dc, tc.walk)
		})
	}
}

func testREADMEQR(t *testing.T, phone string, wantDC int, wantWalk string) {
	const tokenTTL = 10 * time.Minute // nothing expires during the test
	const scanWait = time.Minute      // the bound on scan-to-Authorized

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dc, err := testdc.Start(ctx, testdc.Options{QRTokenTTL: tokenTTL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dc.Close() })
	cfg := dc.Config()
	keys, err := cfg.PublicKeys()
	if err != nil {
		t.Fatal(err)
	}

	// README.md's example; the connector's options differ only in where Telegram is.
	connector := mtproto.NewConnector(mtproto.Options{AppID: 1, AppHash: "readme",
		DCList: cfg.DCList(), PublicKeys: keys, Resolver: cfg.Resolver()})
	t.Cleanup(func() { _ = connector.Close() })
	engine, err := machine.New(machine.Options{
		Store:      memory.New(),
		Telegram:   connector,
		TelegramID: "testdc:readme",
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopRun := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { defer close(ran); _ = engine.Run(runCtx) }()
	t.Cleanup(func() { stopRun(); <-ran })

	snap, err := engine.Start(ctx, machine.StartOptions{Input: machine.StartQR{}})
	if err != nil {
		t.Fatal(err)
	}
	if snap.State != states.QRWaiting || snap.Prompt.QR == nil {
		t.Fatalf("QR login %s: %+v; want QRWaiting with a QR code", snap.State, snap.Prompt)
	}
	// The structural premise: the token shown expires long after the bounded wait.
	if left := time.Until(snap.Prompt.QR.Expires); left < tokenTTL-scanWait {
		t.Fatalf("the QR token expires in %v; the test needs it to outlive the wait (%v)", left, scanWait)
	}
	if n := dc.Calls("auth.exportLoginToken"); n != 1 {
		t.Fatalf("auth.exportLoginToken called %d times before the scan; want 1", n)
	}

	if err := testdc.Scan(ctx, cfg, phone, "", snap.Prompt.QR.URL); err != nil {
		t.Fatalf("scan: %v", err)
	}
	scannedAt := time.Now()
	// Watch sends the login as it is, then each change, and ends after a final state.
	watchCtx, stopWatch := context.WithTimeout(ctx, scanWait)
	defer stopWatch()
	updates := engine.Watch(watchCtx, snap.ID)
	last := snap
	for s := range updates {
		last = s
		if s.State == states.Authorized {
			break
		}
	}
	if last.State != states.Authorized {
		t.Fatalf("the scanned QR login is %s %v after the scan (problem %s); want Authorized: updateLoginToken did not reach the engine",
			last.State, scanWait, last.Prompt.Problem.Text())
	}
	if u := last.Prompt.User; u == nil || "+"+strconv.FormatInt(u.ID, 10) != phone || last.DC != wantDC {
		t.Fatalf("authorized as %+v on DC %d; want %s on DC %d", u, last.DC, phone, wantDC)
	}
	t.Logf("Authorized %v after the scan", time.Since(scannedAt).Round(time.Millisecond))
	if n := dc.Calls("auth.exportLoginToken"); n != 2 {
		t.Fatalf("auth.exportLoginToken called %d times; want 2 (the first token, and one on updateLoginToken)", n)
	}

	journal, err := engine.Journal(ctx, snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	var walk []string
	scanned := false
	for _, j := range journal {
		if j.Event == transitions.QRPoll || j.Event == transitions.QRExpired {
			t.Fatalf("a timer (%s) exported a token; only the update should have", j.Event)
		}
		scanned = scanned || j.Event == transitions.LoginTokenUpdate
		if scanned {
			walk = append(walk, string(j.From)+" --"+string(j.Event)+"--> "+string(j.To))
		}
	}
	if got := strings.Join(walk, ", "); got != wantWalk {
		t.Fatalf("journal from the scan on:\n  %s\nwant:\n  %s", got, wantWalk)
	}
}
