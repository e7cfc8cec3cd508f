package tgapi

import (
	"errors"
	"time"
)

// ErrNoSession is what SessionStorage.LoadSession returns when no session was stored yet.
var ErrNoSession = errors.New("no session stored")

// CodeType is how a login code is delivered (auth.SentCodeType / auth.CodeType).
type CodeType string

// The code types Telegram uses.
const (
	CodeApp                CodeType = "app"                  // a message in another logged-in Telegram app
	CodeSMS                CodeType = "sms"                  // an SMS
	CodeCall               CodeType = "call"                 // a voice call reads the code
	CodeFlashCall          CodeType = "flash_call"           // the code is the calling number (matches Pattern)
	CodeMissedCall         CodeType = "missed_call"          // the last digits of the calling number
	CodeEmail              CodeType = "email"                // an e-mail to the login e-mail (EmailPattern)
	CodeSetUpEmailRequired CodeType = "setup_email_required" // no code: a login e-mail must be set up first
	CodeFragmentSMS        CodeType = "fragment_sms"         // an SMS on a Fragment number (URL)
	CodeFirebaseSMS        CodeType = "firebase_sms"         // an SMS through Firebase
	CodeSMSWord            CodeType = "sms_word"             // an SMS with a word
	CodeSMSPhrase          CodeType = "sms_phrase"           // an SMS with a phrase
)

// SendCodeResult is what auth.sendCode (or account.verifyEmail, auth.checkPaidAuth)
// answered: a code was sent, the session was authorized at once, or the sign-in must be
// paid for first (auth.sentCodePaymentRequired).
type SendCodeResult struct {
	Code            *SentCode        `json:"code,omitempty"`
	Authorized      *Authorization   `json:"authorized,omitempty"`
	PaymentRequired *PaymentRequired `json:"payment_required,omitempty"`
}

// PaymentRequired is auth.sentCodePaymentRequired: Telegram sends no code to this number
// until a Telegram Premium subscription is bought for it.
type PaymentRequired struct {
	PhoneCodeHash string `json:"phone_code_hash"`
	// StoreProduct is the app store's product ID, for official apps.
	StoreProduct string `json:"store_product,omitempty"`
	// SupportEmail is where to write about it, with SupportSubject as the subject.
	SupportEmail   string `json:"support_email,omitempty"`
	SupportSubject string `json:"support_subject,omitempty"`
	PremiumDays    int    `json:"premium_days,omitempty"`
	// Currency (ISO 4217) and Amount in its smallest units: 199 USD is $1.99.
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

// PaymentForm is the part of payments.paymentForm a paid sign-in needs: the form's ID
// (for auth.checkPaidAuth) and the URL to pay it at.
type PaymentForm struct {
	FormID int64  `json:"form_id"`
	URL    string `json:"url,omitempty"`
}

// SentCode is auth.sentCode: how the code went out and what can be done next.
type SentCode struct {
	Type          CodeType      `json:"type"`
	Length        int           `json:"length,omitempty"`
	NextType      CodeType      `json:"next_type,omitempty"`
	Timeout       time.Duration `json:"timeout,omitempty"`
	PhoneCodeHash string        `json:"phone_code_hash"`
	// Pattern is the flash-call number pattern; EmailPattern the masked e-mail address;
	// URL the Fragment link.
	Pattern      string `json:"pattern,omitempty"`
	EmailPattern string `json:"email_pattern,omitempty"`
	URL          string `json:"url,omitempty"`
	// EmailReset says, for an e-mail code, whether and when the login e-mail can be reset
	// (auth.resetLoginEmail); nil when it cannot.
	EmailReset *EmailReset `json:"email_reset,omitempty"`
}

// EmailReset is what auth.sentCodeTypeEmailCode says of resetting the login e-mail:
// either it can be asked for now and takes Wait (reset_available_period; 0 for at once),
// or it was asked for and happens at PendingAt (reset_pending_date).
type EmailReset struct {
	Wait      time.Duration `json:"wait,omitempty"`
	PendingAt time.Time     `json:"pending_at,omitzero"`
}

// Authorization is what auth.signIn answered: a user, or that the number must sign up.
type Authorization struct {
	User           *User           `json:"user,omitempty"`
	SignUpRequired *TermsOfService `json:"signup_required,omitempty"`
}

// TermsOfService is help.termsOfService, shown before sign-up.
type TermsOfService struct {
	ID     string `json:"id,omitempty"`
	Text   string `json:"text"`
	MinAge int    `json:"min_age,omitempty"`
	Popup  bool   `json:"popup,omitempty"`
}

// User is the account a session is authorized as.
type User struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Bot       bool   `json:"bot,omitempty"`
}

// PasswordInfo is the part of account.password a login needs.
type PasswordInfo struct {
	HasPassword bool   `json:"has_password"`
	Hint        string `json:"hint,omitempty"`
	HasRecovery bool   `json:"has_recovery,omitempty"`
}

// PasswordRecovery is auth.passwordRecovery: where the recovery code went.
type PasswordRecovery struct {
	EmailPattern string `json:"email_pattern"`
}

// EmailCode is account.sentEmailCode.
type EmailCode struct {
	EmailPattern string `json:"email_pattern"`
	Length       int    `json:"length"`
}

// LoginToken is what auth.exportLoginToken or auth.importLoginToken answered: a token to
// show as a QR code, a DC to import it on, or the authorization.
type LoginToken struct {
	Token      []byte    `json:"token,omitempty"`
	Expires    time.Time `json:"expires,omitempty"`
	MigrateDC  int       `json:"migrate_dc,omitempty"`
	Authorized *User     `json:"authorized,omitempty"`
}
