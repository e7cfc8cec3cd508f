package tgapi

import "time"

// The requests of the account chart: what an authorized session does to its account.
type (
	// UpdatePasswordSettings sets, changes or removes the 2FA password: it fetches
	// account.password, proves Current with SRP (nothing when the account has no
	// password), computes the new password's verifier and calls
	// account.updatePasswordSettings. An empty New removes the password (and its hint and
	// recovery e-mail). A non-empty Email makes Telegram answer EMAIL_UNCONFIRMED_X (X the
	// code's length): the change waits for account.confirmPasswordEmail. Answers nothing.
	UpdatePasswordSettings struct {
		Current string `json:"current,omitempty"`
		New     string `json:"new,omitempty"`
		Hint    string `json:"hint,omitempty"`
		Email   string `json:"email,omitempty"`
	}
	// ConfirmPasswordEmail is account.confirmPasswordEmail with the code sent to the new
	// recovery e-mail. Answers nothing.
	ConfirmPasswordEmail struct {
		Code string `json:"code"`
	}
	// ResendPasswordEmail is account.resendPasswordEmail. Answers nothing.
	ResendPasswordEmail struct{}
	// CancelPasswordEmail is account.cancelPasswordEmail. Answers nothing.
	CancelPasswordEmail struct{}
	// GetAuthorizations is account.getAuthorizations. Answers Authorizations.
	GetAuthorizations struct{}
	// ResetAuthorization is account.resetAuthorization: terminates the session Hash.
	// Answers nothing.
	ResetAuthorization struct {
		Hash int64 `json:"hash"`
	}
	// ResetAuthorizations is auth.resetAuthorizations: terminates every session but the
	// caller's. Answers nothing.
	ResetAuthorizations struct{}
	// ChangeAuthorizationSettings is account.changeAuthorizationSettings with
	// confirmed=true: confirms the unconfirmed new session Hash. Answers nothing.
	ChangeAuthorizationSettings struct {
		Hash int64 `json:"hash"`
	}
	// InvalidateSignInCodes is account.invalidateSignInCodes: the codes (which leaked)
	// can no longer sign in. Answers nothing.
	InvalidateSignInCodes struct {
		Codes []string `json:"codes"`
	}
)

// Authorizations is account.authorizations: the account's active sessions.
type Authorizations struct {
	Sessions []Session `json:"sessions"`
	// TTLDays is how long an inactive session lives.
	TTLDays int `json:"ttl_days,omitempty"`
}

// Session is one authorization of an account: a device logged in.
type Session struct {
	// Hash names the session for account.resetAuthorization; Telegram gives the current
	// session hash 0.
	Hash    int64 `json:"hash"`
	Current bool  `json:"current,omitempty"`
	// Unconfirmed marks a new session the account has not confirmed yet.
	Unconfirmed     bool      `json:"unconfirmed,omitempty"`
	PasswordPending bool      `json:"password_pending,omitempty"`
	Official        bool      `json:"official,omitempty"`
	Device          string    `json:"device,omitempty"`
	Platform        string    `json:"platform,omitempty"`
	SystemVersion   string    `json:"system_version,omitempty"`
	App             string    `json:"app,omitempty"`
	AppVersion      string    `json:"app_version,omitempty"`
	APIID           int       `json:"api_id,omitempty"`
	IP              string    `json:"ip,omitempty"`
	Country         string    `json:"country,omitempty"`
	Region          string    `json:"region,omitempty"`
	Created         time.Time `json:"created,omitzero"`
	Active          time.Time `json:"active,omitzero"`
}

// Method implements Request.
func (UpdatePasswordSettings) Method() Method { return "account.updatePasswordSettings" }

// Method implements Request.
func (ConfirmPasswordEmail) Method() Method { return "account.confirmPasswordEmail" }

// Method implements Request.
func (ResendPasswordEmail) Method() Method { return "account.resendPasswordEmail" }

// Method implements Request.
func (CancelPasswordEmail) Method() Method { return "account.cancelPasswordEmail" }

// Method implements Request.
func (GetAuthorizations) Method() Method { return "account.getAuthorizations" }

// Method implements Request.
func (ResetAuthorization) Method() Method { return "account.resetAuthorization" }

// Method implements Request.
func (ResetAuthorizations) Method() Method { return "auth.resetAuthorizations" }

// Method implements Request.
func (ChangeAuthorizationSettings) Method() Method { return "account.changeAuthorizationSettings" }

// Method implements Request.
func (InvalidateSignInCodes) Method() Method { return "account.invalidateSignInCodes" }
