package logindoc_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/internal/logindoc"
	"github.com/tgauth/tgauth/store/storetest"
	"github.com/tgauth/tgauth/tgapi"
)

// t0 is the clock of the documents in testdata.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// TestReadsFormat0 reads documents tgauth 70832bc wrote (see testdata/capture70832bc) and
// checks every field of what comes back.
func TestReadsFormat0(t *testing.T) {
	for _, tc := range []struct {
		file string
		want *machine.Login
	}{
		{"v0-full.json", &machine.Login{
			ID: "full", Method: machine.MethodPhone, State: states.CodeSent, Version: 2, DC: 4,
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
			Problem:   &machine.Problem{Code: machine.ProblemNote, Detail: "PHONE_CODE_INVALID: the code is wrong, attempt 2 of 5"},
			CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(-time.Minute),
		}},
		{"v0-engine.json", &machine.Login{
			ID: "engine", Method: machine.MethodPhone, State: states.CodeSent, Version: 5, DC: 2,
			Phone: "+99966012345", PhoneCodeHash: "hash-engine",
			Code:     &machine.CodeInfo{Type: tgapi.CodeApp, Length: 5, NextType: tgapi.CodeSMS, Timeout: time.Minute},
			Attempts: 1, ResendAt: t0.Add(time.Minute), ExpiresAt: t0.Add(30 * time.Minute),
			TimerAt: t0.Add(30 * time.Minute), TimerEvent: "ttl",
			Problem:   &machine.Problem{Code: machine.ProblemNote, Detail: "wrong code (PHONE_CODE_INVALID), attempt 1 of 5"},
			CreatedAt: t0, UpdatedAt: t0,
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			doc, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := logindoc.Decode(doc, tc.want.Version)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Decode of %s:\n got %+v\nwant %+v", tc.file, got, tc.want)
			}
			if got.AttemptsAt(states.CodeSent) != tc.want.Attempts {
				t.Errorf("an old document's attempts do not count for the prompt: AttemptsAt = %d", got.AttemptsAt(states.CodeSent))
			}
			// Written again, it is a document of the newest format, and reads the same.
			again, err := logindoc.Encode(got)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(again, `{"v":1,`) || strings.Contains(again, "last_error") {
				t.Errorf("Encode after Decode = %s; want format 1, without last_error", again)
			}
			if back, err := logindoc.Decode([]byte(again), tc.want.Version); err != nil || !reflect.DeepEqual(back, tc.want) {
				t.Errorf("Decode(Encode(Decode(%s))) = %+v, %v", tc.file, back, err)
			}
		})
	}
}

// TestRoundTrip: every field of a login survives Encode and Decode but Version, which the
// document leaves to its column.
func TestRoundTrip(t *testing.T) {
	l := storetest.FullLogin("full")
	doc, err := logindoc.Encode(l)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(doc, `"version"`) {
		t.Errorf("the document holds the version: %s", doc)
	}
	got, err := logindoc.Decode([]byte(doc), 42)
	if err != nil {
		t.Fatal(err)
	}
	if d := storetest.Diff(got, l); d != "" {
		t.Errorf("round trip:\n%s", d)
	}
}

// TestFormatIsItsOwn: the document's field names are the format's, not Login's JSON tags.
func TestFormatIsItsOwn(t *testing.T) {
	l := storetest.FullLogin("full")
	doc, err := logindoc.Encode(l)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(doc), &got); err != nil {
		t.Fatal(err)
	}
	want := []string{"v", "id", "method", "state", "dc", "phone", "phone_code_hash", "code", "attempts", "attempts_for",
		"password_hint", "has_recovery", "recovery_email", "email", "email_pattern", "terms",
		"qr_token", "qr_expires_at", "qr_poll_at", "qr_migrate_dc", "resend_at", "expires_at", "retry_at", "retry_input",
		"flight_event", "timer_at", "timer_event", "lease_owner", "lease_until", "user", "problem", "telegram",
		"account", "created_at", "updated_at"}
	for _, k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("the document has no %q", k)
		}
		delete(got, k)
	}
	for k := range got {
		t.Errorf("the document has %q, which format %d does not name", k, logindoc.Format)
	}
}

func TestNewerFormatIsRefused(t *testing.T) {
	_, err := logindoc.Decode([]byte(`{"v":2,"id":"future","state":"New"}`), 1)
	if err == nil || !strings.Contains(err.Error(), "v2") || !strings.Contains(err.Error(), "future") {
		t.Errorf("Decode of a format 2 document: err = %v; want one naming the login and the format", err)
	}
}

func TestProblem(t *testing.T) {
	p := storetest.FullLogin("x").Problem
	enc, err := logindoc.EncodeProblem(p)
	if err != nil || enc == nil {
		t.Fatalf("EncodeProblem = %v, %v", enc, err)
	}
	if got, err := logindoc.DecodeProblem(enc, "a note that is ignored"); err != nil || storetest.Diff(got, p) != "" {
		t.Errorf("DecodeProblem(EncodeProblem(p)) = %+v, %v; want %+v", got, err, p)
	}
	if enc, err := logindoc.EncodeProblem(nil); enc != nil || err != nil {
		t.Errorf("EncodeProblem(nil) = %v, %v; want nil", enc, err)
	}
	// An entry written before the problem column: its note, if any, is the problem.
	if got, err := logindoc.DecodeProblem(nil, ""); got != nil || err != nil {
		t.Errorf("DecodeProblem(NULL, no note) = %+v, %v; want nil", got, err)
	}
	want := &machine.Problem{Code: machine.ProblemNote, Detail: "PHONE_CODE_INVALID"}
	if got, err := logindoc.DecodeProblem(nil, "PHONE_CODE_INVALID"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeProblem(NULL, a note) = %+v, %v; want %+v", got, err, want)
	}
}
