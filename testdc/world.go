package testdc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// World is the JSON world file: {"accounts": [{...}, ...]}.
//
// It adds accounts to the ones the test DC knows implicitly (every
// 99966XYYYY phone, registered, without password).
type World struct {
	// Accounts are the explicitly configured accounts, one per phone.
	Accounts []Account `json:"accounts"`
}

// Account is one account of the World. Its phone lives on DC X if it is
// 99966XYYYY (X in 1..3), else on DC 2; its login code is the DC digit five
// times (see the package documentation for all the rules).
type Account struct {
	// Phone is the phone number, digits with or without a leading '+'.
	Phone string `json:"phone"`
	// Registered defaults to true; false makes auth.signIn answer
	// auth.authorizationSignUpRequired (with terms of service).
	Registered *bool `json:"registered,omitempty"`
	// Password is the 2FA password (verified with SRP); empty means none.
	Password string `json:"password,omitempty"`
	// Hint is the 2FA password hint.
	Hint string `json:"hint,omitempty"`
	// RecoveryEmail enables auth.requestPasswordRecovery and
	// auth.recoverPassword with a code; it needs a Password.
	RecoveryEmail string `json:"recovery_email,omitempty"`
	// Banned makes auth.sendCode answer 400 PHONE_NUMBER_BANNED.
	Banned bool `json:"banned,omitempty"`
	// FloodWait, in seconds, makes auth.sendCode answer 420 FLOOD_WAIT_X
	// during FloodWait seconds from the first auth.sendCode for the phone.
	FloodWait int `json:"flood_wait,omitempty"`
	// CodeType is how the login code is "sent": app (default), sms, call,
	// flash_call, missed_call, email, setup_email_required or fragment_sms.
	CodeType string `json:"code_type,omitempty"`
	// NextType is the type auth.resendCode switches to: sms, call,
	// flash_call, missed_call, fragment_sms or "" (none).
	NextType string `json:"next_type,omitempty"`
	// Timeout is the sent code's timeout: seconds until a resend is
	// suggested (informational, auth.resendCode does not enforce it).
	Timeout int `json:"timeout,omitempty"`
	// FirstName defaults to "Test".
	FirstName string `json:"first_name,omitempty"`
	// LastName defaults to the last four digits of the phone.
	LastName string `json:"last_name,omitempty"`
	// Username is the optional username.
	Username string `json:"username,omitempty"`
	// Sessions are older sessions of the account: other devices logged in.
	Sessions []WorldSession `json:"sessions,omitempty"`
	// NewSessionAge dates every new login of the account that far back (a Go duration,
	// "25h"), so that it may terminate other sessions at once (the 24-hour rule).
	NewSessionAge string `json:"new_session_age,omitempty"`
}

// Code types of Account.CodeType.
const (
	codeApp         = "app"
	codeSMS         = "sms"
	codeCall        = "call"
	codeFlashCall   = "flash_call"
	codeMissedCall  = "missed_call"
	codeEmail       = "email"
	codeSetupEmail  = "setup_email_required"
	codeFragmentSMS = "fragment_sms"
)

// Lengths of the codes the test DC "sends".
const (
	loginCodeLength = 5 // auth.sendCode, auth.resendCode
	mailCodeLength  = 6 // account.sendVerifyEmailCode, auth.requestPasswordRecovery
)

var (
	codeTypes = map[string]bool{
		codeApp: true, codeSMS: true, codeCall: true, codeFlashCall: true, codeMissedCall: true,
		codeEmail: true, codeSetupEmail: true, codeFragmentSMS: true,
	}
	nextTypes = map[string]bool{
		codeSMS: true, codeCall: true, codeFlashCall: true, codeMissedCall: true, codeFragmentSMS: true,
	}
)

// LoadWorld reads and validates a world file.
func LoadWorld(path string) (World, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return World{}, fmt.Errorf("testdc: read world: %w", err)
	}
	var w World
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return World{}, fmt.Errorf("testdc: world %s: %w", path, err)
	}
	if err := w.validate(); err != nil {
		return World{}, fmt.Errorf("testdc: world %s: %w", path, err)
	}
	return w, nil
}

// validate checks every account and that no phone appears twice.
func (w World) validate() error {
	seen := map[string]int{}
	for i, a := range w.Accounts {
		if err := a.validate(); err != nil {
			return fmt.Errorf("account %d (phone %q): %w", i+1, a.Phone, err)
		}
		phone, _ := normalizePhone(a.Phone)
		if j, ok := seen[phone]; ok {
			return fmt.Errorf("account %d (phone %q): same phone as account %d", i+1, a.Phone, j)
		}
		seen[phone] = i + 1
	}
	return nil
}

func (a Account) validate() error {
	if _, ok := normalizePhone(a.Phone); !ok {
		return fmt.Errorf("phone must be digits with an optional leading '+'")
	}
	if a.CodeType != "" && !codeTypes[a.CodeType] {
		return fmt.Errorf("unknown code_type %q", a.CodeType)
	}
	if a.NextType != "" && !nextTypes[a.NextType] {
		return fmt.Errorf("unknown next_type %q", a.NextType)
	}
	if a.FloodWait < 0 || a.Timeout < 0 {
		return fmt.Errorf("flood_wait and timeout must not be negative")
	}
	if a.Password == "" && (a.Hint != "" || a.RecoveryEmail != "") {
		return fmt.Errorf("hint and recovery_email need a password")
	}
	if a.RecoveryEmail != "" && !strings.Contains(a.RecoveryEmail, "@") {
		return fmt.Errorf("recovery_email %q is not an e-mail address", a.RecoveryEmail)
	}
	if a.Registered != nil && !*a.Registered && a.Password != "" {
		return fmt.Errorf("an unregistered account cannot have a password")
	}
	for i, s := range a.Sessions {
		if err := s.validate(); err != nil {
			return fmt.Errorf("session %d: %w", i+1, err)
		}
	}
	if a.NewSessionAge != "" {
		if d, err := time.ParseDuration(a.NewSessionAge); err != nil || d < 0 {
			return fmt.Errorf("new_session_age %q: want a duration like 25h", a.NewSessionAge)
		}
	}
	return nil
}

// normalizePhone strips a leading '+' and the usual separators (spaces,
// dashes, parentheses); the rest must be 5 to 15 digits.
func normalizePhone(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+")
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')':
			return -1
		}
		return r
	}, s)
	if len(s) < 5 || len(s) > 15 {
		return "", false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return s, true
}

// testPhoneDC reports the DC of a 99966XYYYY phone (X in 1..3).
func testPhoneDC(phone string) (int, bool) {
	if len(phone) != 10 || !strings.HasPrefix(phone, "99966") {
		return 0, false
	}
	dc := int(phone[5] - '0')
	return dc, dc >= 1 && dc <= 3
}

// phoneDC is the DC a phone lives on: X for 99966XYYYY, else 2.
func phoneDC(phone string) int {
	if dc, ok := testPhoneDC(phone); ok {
		return dc
	}
	return 2
}

// digitCode is the DC digit of dc repeated n times.
func digitCode(dc, n int) string {
	return strings.Repeat(strconv.Itoa(dc), n)
}
