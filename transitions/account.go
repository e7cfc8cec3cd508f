package transitions

import (
	"maps"

	s "github.com/tgauth/tgauth/states"
)

// This file is the account chart: the tasks an Authorized login runs (the 2FA password,
// the account's sessions, leaked sign-in codes). Each leaves Authorized through one
// in-flight state and comes back to it; only the password's recovery e-mail has an
// awaiting state of its own (PasswordEmailCodeSent).

// task is the rows every account call shares: a flood wait and a lost answer go back to
// the state that took the input, a fatal error fails the login, and a session that was
// terminated elsewhere ends it.
func task(from, back s.State, pairs ...any) []Transition {
	return leaves(from, append(pairs,
		FloodWait, back,
		Fatal, s.Failed,
		SessionRevoked, s.LoggedOut,
		Interrupted, back)...)
}

// accountTable is the account chart's part of the table.
var accountTable = concat(
	leaves(s.Authorized,
		SetPassword, s.UpdatingPassword,
		RemovePassword, s.UpdatingPassword,
		ListSessions, s.ListingSessions,
		TerminateSession, s.TerminatingSession,
		TerminateOtherSessions, s.TerminatingOtherSessions,
		ConfirmSession, s.ConfirmingSession,
		InvalidateCodes, s.InvalidatingCodes),
	task(s.UpdatingPassword, s.Authorized,
		Done, s.Authorized,
		EmailUnconfirmed, s.PasswordEmailCodeSent,
		PasswordInvalid, s.Authorized,
		Rejected, s.Authorized),
	leaves(s.PasswordEmailCodeSent,
		SubmitPasswordEmailCode, s.ConfirmingPasswordEmail,
		ResendPasswordEmail, s.ResendingPasswordEmail,
		CancelPasswordEmail, s.CancellingPasswordEmail),
	task(s.ConfirmingPasswordEmail, s.PasswordEmailCodeSent,
		Done, s.Authorized,
		CodeInvalid, s.PasswordEmailCodeSent,
		CodeExpiredEv, s.Authorized),
	task(s.ResendingPasswordEmail, s.PasswordEmailCodeSent,
		Done, s.PasswordEmailCodeSent,
		CodeExpiredEv, s.Authorized),
	task(s.CancellingPasswordEmail, s.PasswordEmailCodeSent,
		Done, s.Authorized),
	task(s.ListingSessions, s.Authorized,
		Done, s.Authorized),
	task(s.TerminatingSession, s.Authorized,
		Done, s.Authorized,
		TooFresh, s.Authorized,
		Rejected, s.Authorized),
	task(s.TerminatingOtherSessions, s.Authorized,
		Done, s.Authorized,
		TooFresh, s.Authorized),
	task(s.ConfirmingSession, s.Authorized,
		Done, s.Authorized,
		Rejected, s.Authorized),
	task(s.InvalidatingCodes, s.Authorized,
		Done, s.Authorized),
)

// revoked are the answers of a session Telegram no longer knows: it was terminated by
// another session (or the account's sessions were reset).
var revoked = []string{"AUTH_KEY_UNREGISTERED", "SESSION_REVOKED", "SESSION_EXPIRED"}

// taskErrors returns the error rules of an account call: its own, and the revoked session.
func taskErrors(own map[string]Event) map[string]Event {
	out := map[string]Event{}
	for _, t := range revoked {
		out[t] = SessionRevoked
	}
	maps.Copy(out, own)
	return out
}

var (
	// emailExpired is what the recovery e-mail calls answer once no e-mail is pending.
	emailExpired = map[string]Event{"EMAIL_HASH_EXPIRED": CodeExpiredEv}
	// tooFresh is the 24-hour rule of terminating sessions.
	tooFresh = map[string]Event{"FRESH_RESET_AUTHORISATION_FORBIDDEN": TooFresh}
	// backToAuthorized is the recovery of a task whose outcome can be seen by asking
	// again (listing the sessions, account.getPassword).
	backToAuthorized = backTo("back to Authorized: the task may or may not have been done; the user looks (sessions list) and asks again")
)

// accountRules are the Rules of the account chart's in-flight states.
var accountRules = map[s.State]Rules{
	s.UpdatingPassword: {Errors: taskErrors(map[string]Event{"PASSWORD_HASH_INVALID": PasswordInvalid, "EMAIL_UNCONFIRMED": EmailUnconfirmed}),
		Recovery: backTo("back to Authorized: the password may or may not have changed; the user sets it again with the password that works")},
	s.ConfirmingPasswordEmail: {Errors: taskErrors(map[string]Event{"CODE_INVALID": CodeInvalid, "CODE_EMPTY": CodeInvalid, "EMAIL_HASH_EXPIRED": CodeExpiredEv}),
		Recovery: backTo("back to PasswordEmailCodeSent; the user enters the e-mail's code again")},
	s.ResendingPasswordEmail: {Errors: taskErrors(emailExpired),
		Recovery: backTo("back to PasswordEmailCodeSent; the user asks again")},
	s.CancellingPasswordEmail: {Errors: taskErrors(map[string]Event{"EMAIL_HASH_EXPIRED": Done}),
		Recovery: backTo("back to PasswordEmailCodeSent; the user cancels again")},
	s.ListingSessions:          {Errors: taskErrors(nil), Recovery: backTo("back to Authorized; the user lists again")},
	s.TerminatingSession:       {Errors: taskErrors(tooFresh), Recovery: backToAuthorized},
	s.TerminatingOtherSessions: {Errors: taskErrors(tooFresh), Recovery: backToAuthorized},
	s.ConfirmingSession:        {Errors: taskErrors(map[string]Event{"HASH_INVALID": Rejected}), Recovery: backToAuthorized},
	s.InvalidatingCodes:        {Errors: taskErrors(nil), Recovery: backTo("back to Authorized; the user invalidates the codes again (that is harmless)")},
}

func init() {
	maps.Copy(rules, accountRules)
	successes[EmailUnconfirmed] = true
}

// AccountTask reports whether state st belongs to the account chart: a task of an
// Authorized login, in flight or awaiting the recovery e-mail's code.
func AccountTask(st s.State) bool {
	_, ok := accountRules[st]
	return ok || st == s.PasswordEmailCodeSent
}
