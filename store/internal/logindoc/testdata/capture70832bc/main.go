// Command capture70832bc wrote testdata/v0-full.json and v0-engine.json: login documents
// as tgauth 70832bc stored them (the doc column of its SQLite store), one with every field
// set and one as its engine left a phone login after a wrong code. It builds only in a
// checkout of that commit:
//
//	git worktree add --detach /tmp/old 70832bc
//	mkdir /tmp/old/capture && cp main.go /tmp/old/capture/
//	(cd /tmp/old && go run ./capture "$OLDPWD/..")
package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/tgauth/tgauth/bench/scale"
	"github.com/tgauth/tgauth/internal/clock"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/sqlite"
	"github.com/tgauth/tgauth/tgapi"
)

func main() {
	ctx := context.Background()
	out := os.Args[1]
	dir, _ := os.MkdirTemp("", "capture")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "old.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	t0 := time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)
	full := &machine.Login{
		ID: "full", Method: machine.MethodPhone, State: states.CodeSent, DC: 4,
		Phone: "+999661234567", PhoneCodeHash: "0123456789abcdef",
		Code: &machine.CodeInfo{Type: tgapi.CodeSMS, Length: 5, NextType: tgapi.CodeCall, Timeout: 90 * time.Second,
			Pattern: "+9996*", EmailPattern: "a***@example.com", URL: "https://fragment.com/number/999"},
		Attempts: 2, PasswordHint: "the usual \u2603", HasRecovery: true, RecoveryEmail: "r***@example.org",
		Email: "someone@example.net", EmailPattern: "s***@example.net",
		Terms:   &machine.TermsOfService{ID: "tos-2025", Text: "Be nice.\n\"quoted\" <tagged> & co.", MinAge: 16, Popup: true},
		QRToken: []byte{0, 1, 2, 0xfe, 0xff}, QRExpiresAt: t0.Add(30 * time.Second), QRPollAt: t0.Add(5 * time.Second), QRMigrateDC: 2,
		ResendAt: t0.Add(time.Minute), ExpiresAt: t0.Add(time.Hour), RetryAt: t0.Add(2 * time.Minute), RetryInput: "submit_code",
		TimerAt: t0.Add(time.Minute), TimerEvent: "resend_due", LeaseOwner: "engine-7", LeaseUntil: t0.Add(20 * time.Second),
		User:      &machine.User{ID: 1 << 52, FirstName: "Ada", LastName: "Lovelace", Username: "ada", Phone: "999661234567", Bot: true},
		LastError: "PHONE_CODE_INVALID: the code is wrong, attempt 2 of 5",
		CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(-time.Minute),
	}
	if err := s.Create(ctx, full); err != nil {
		log.Fatal(err)
	}
	if err := s.Update(ctx, full); err != nil { // at version 2
		log.Fatal(err)
	}

	// A login as the old engine left it: a wrong code entered, waiting for the next.
	clk := clock.New(t0)
	e, err := machine.New(machine.Options{Store: s, Telegram: scale.NewTelegram(clk).Connector(), Now: clk.Now, Owner: "engine-old"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := e.Start(ctx, machine.StartOptions{ID: "engine", Input: machine.SubmitPhone{Phone: "+99966012345"}}); err != nil {
		log.Fatal(err)
	}
	if _, err := e.Send(ctx, "engine", machine.SubmitCode{Code: scale.WrongCode}); err == nil {
		log.Fatal("wrong code accepted")
	}
	s.Close()

	db, err := sql.Open("sqlite", path)
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range []string{"full", "engine"} {
		var doc string
		if err := db.QueryRow(`SELECT doc FROM logins WHERE id = ?`, id).Scan(&doc); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("v0-%s.json", id)), []byte(doc+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
