// Package mautrix is a mautrix bridgev2 login over the tgauth engine: a Telegram bridge
// connector gets every path of a Telegram login (code type and length, resend, sign-up,
// 2FA with hint and recovery, login e-mail, QR codes refreshed, bot tokens, flood waits)
// and logins that survive a restart, by answering GetLoginFlows with Flows and
// CreateLogin with Logins.Create:
//
//	logins, err := mautrix.New(mautrix.Options{
//		Engine:   engine, // machine.New over a store and a Telegram; the bridge runs engine.Run
//		Pending:  mautrix.KV{Store: bridge.DB.KV},
//		Complete: func(ctx context.Context, done mautrix.Done) (*bridgev2.UserLogin, error) {
//			return done.User.NewLogin(ctx, &database.UserLogin{ID: done.UserLoginID,
//				Metadata: &Meta{Session: done.Session}}, &bridgev2.NewLoginParams{DeleteOnConflict: true})
//		},
//	})
//	func (c *Connector) GetLoginFlows() []bridgev2.LoginFlow { return mautrix.Flows() }
//	func (c *Connector) CreateLogin(ctx context.Context, u *bridgev2.User, flow string) (bridgev2.LoginProcess, error) {
//		return logins.Create(ctx, u, flow)
//	}
//
// # Steps
//
// Every step is drivers/loginstep's (loginstep.Of), converted to bridgev2's types; the
// step IDs are loginstep's ("tgauth.code", ...). bridgev2 has no step actions, and its
// fields are strings, so a step's actions are asked for this way:
//
//   - A step with fields takes each of its actions as the value of its first field:
//     "resend" in the code field asks for the code again (the field's description says
//     how, by which means and from when Telegram allows it), "recover" in the password
//     field asks for a recovery code by e-mail, "qr" in the phone field switches to a QR
//     login. The field's pattern admits them; a provisioning client may also send
//     {"action": "resend"}. So a 2FA password that is literally "recover" cannot be
//     entered through a bridge (it asks for a recovery code instead).
//   - A step without fields (the code expired) gets one select field, "action", whose
//     options are its actions.
//   - Cancel is bridgev2's own (its cancel command, POST /login/cancel): Process.Cancel.
//
// A wrong code or password, a value of the wrong shape and a flood wait are not errors:
// the answer is the same step, its instructions saying what went wrong, since bridgev2
// ends a login process on any error. A login that ended without an account (cancelled,
// expired, failed) is an error with code ErrCodeClosed.
//
// Going back (CancelStep, offered on every step after the first) cancels the login and
// starts a new one of the same flow: Telegram has no way back from a sent code.
//
// # Restarts
//
// A Process holds nothing but the login's ID: the login is in the engine's store. bridgev2
// keeps its processes in memory only, so Options.Pending records, per Matrix user and
// flow, the login in progress (KV: in bridgev2's key-value table), from Start until the
// login completes or is cancelled. After a restart, the user's next `login FLOW` command
// or POST /login/start/FLOW gets a process whose Start returns the step that login is at.
// Logins.Continue opens any login by ID, e.g. one started on tgauth's web page or in a
// chat.
package mautrix
