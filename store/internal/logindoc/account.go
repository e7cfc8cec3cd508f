package logindoc

import (
	"time"

	"github.com/tgauth/tgauth/machine"
)

// Account is a machine.Account as stored (the account chart's part of a login). It is an
// optional field of format 1: a document without it reads as a login that ran no account
// task, and a tgauth that predates it ignores it.
type Account struct {
	Sessions      []Session `json:"sessions,omitempty"`
	SessionsAt    time.Time `json:"sessions_at,omitzero"`
	PasswordEmail string    `json:"password_email,omitempty"`
	CodeLength    int       `json:"code_length,omitempty"`
}

// Session is a machine.Session as stored.
type Session struct {
	Hash            int64     `json:"hash"`
	Current         bool      `json:"current,omitempty"`
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

func fromAccount(a *machine.Account) *Account {
	if a == nil {
		return nil
	}
	d := &Account{SessionsAt: a.SessionsAt, PasswordEmail: a.PasswordEmail, CodeLength: a.CodeLength}
	for _, s := range a.Sessions {
		d.Sessions = append(d.Sessions, Session(s))
	}
	return d
}

func (d *Account) account() *machine.Account {
	if d == nil {
		return nil
	}
	a := &machine.Account{SessionsAt: d.SessionsAt, PasswordEmail: d.PasswordEmail, CodeLength: d.CodeLength}
	for _, s := range d.Sessions {
		a.Sessions = append(a.Sessions, machine.Session(s))
	}
	return a
}
