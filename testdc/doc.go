// Package testdc is a fake Telegram: DCs 1, 2 and 3 on 127.0.0.1, speaking
// real MTProto (gotd's tgtest servers), with Telegram's test-DC rules for
// authorization. It is "Telegram" to the rest of this module, which it never
// imports.
//
// # Accounts and codes
//
// A phone 99966XYYYY (X in 1..3) lives on DC X and exists implicitly:
// registered, no password, first name "Test", last name YYYY. A World adds
// accounts; one whose phone is not of that form lives on DC 2. Any other
// phone is 400 PHONE_NUMBER_INVALID. User IDs are the phone's digits.
//
// With D the DC digit of the account:
//   - the login code is D five times ("22222"), whatever the code type;
//   - the e-mail verification code (setup_email_required) and the password
//     recovery code are D six times ("222222").
//
// # Rules
//
// auth.sendCode: on the wrong DC 303 PHONE_MIGRATE_X (so are auth.signIn,
// auth.signUp, auth.resendCode and auth.cancelCode); banned: 400
// PHONE_NUMBER_BANNED; flood_wait: 420 FLOOD_WAIT_X until flood_wait
// seconds after the first auth.sendCode; a logout token of this 2FA account
// in codeSettings.logout_tokens: 401 SESSION_PASSWORD_NEEDED (other
// accounts' tokens are ignored); else auth.sentCode of the account's code
// type (length 5), next_type and timeout. Its phone_code_hash is bound to
// the asking auth key and phone, and replaces that key's previous code for
// the phone. Code types: app, sms, call, flash_call (pattern "+99966*"),
// missed_call (prefix "+99966"), email (auth.sentCodeTypeEmailCode), fragment_sms,
// setup_email_required (auth.sentCodeTypeSetUpEmailRequired, then
// account.sendVerifyEmailCode and account.verifyEmail with purpose
// emailVerifyPurposeLoginSetup give an auth.sentCodeTypeEmailCode; the
// address is remembered as the account's login e-mail).
//
// Code checks (auth.signIn, auth.signUp, auth.resendCode, auth.cancelCode):
// 400 PHONE_CODE_HASH_EMPTY; 400 PHONE_CODE_HASH_INVALID for an unknown hash
// or one asked by another auth key or for another phone; 400
// PHONE_CODE_EXPIRED when cancelled, replaced, used, out of attempts or
// older than Options.CodeTTL.
//
// auth.resendCode: 400 SEND_CODE_UNAVAILABLE without a next type; else the
// code is resent with the next type, whose next type follows the fixed
// chain sms -> call -> none (none after any other type).
//
// auth.signIn (phone_code, or email_verification=emailVerificationCode for
// e-mail codes): wrong code 400 PHONE_CODE_INVALID (Options.MaxCodeAttempts
// of them kill the code); unregistered account
// auth.authorizationSignUpRequired with terms of service; 2FA 401
// SESSION_PASSWORD_NEEDED; else auth.authorization and the key is
// authorized. auth.signUp: empty first name 400 FIRSTNAME_INVALID; then it
// registers the account and authorizes the key.
//
// 2FA (core.telegram.org/api/srp): account.getPassword answers the SRP
// parameters (passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow,
// g = 3, Telegram's 2048-bit prime), srp_B, srp_id, hint, has_recovery;
// auth.checkPassword verifies M1: 400 SRP_ID_INVALID, 400
// PASSWORD_HASH_INVALID, else the key is authorized.
// auth.requestPasswordRecovery answers the recovery e-mail's pattern (400
// PASSWORD_RECOVERY_NA without one); auth.recoverPassword with a wrong code
// (or none requested) 400 CODE_INVALID, else removes the password (or sets
// new_settings) and authorizes the key.
//
// auth.logOut unbinds the key and, for a 2FA account, answers a
// future_auth_token. users.getUsers, updates.getState and auth.logOut on a
// key that is not authorized: 401 AUTH_KEY_UNREGISTERED.
//
// auth.importBotAuthorization: "ID:SECRET" with ID a positive decimal and
// SECRET at least 8 of [A-Za-z0-9_-] logs in the bot ID (first name
// "Bot ID", username botID_bot) on any DC; else 400 ACCESS_TOKEN_INVALID.
//
// QR login: auth.exportLoginToken answers auth.loginToken (the same token
// while valid, Options.QRTokenTTL; a fresh one after). auth.acceptLoginToken
// from an authorized key accepts it (400 AUTH_TOKEN_INVALID,
// AUTH_TOKEN_EXPIRED, AUTH_TOKEN_ALREADY_ACCEPTED) and pushes
// updateShort{updateLoginToken} to the exporting session. The next
// auth.exportLoginToken then answers auth.loginTokenSuccess on the accepting
// account's DC, auth.loginTokenMigrateTo elsewhere (then
// auth.importLoginToken on that DC completes); for a 2FA account 401
// SESSION_PASSWORD_NEEDED, the key going on with account.getPassword and
// auth.checkPassword.
//
// Sessions (account.go): every authorization is a session of its account, with the
// device its client named in initConnection; a login on an account that has sessions
// already is unconfirmed (a QR login is not). A world account adds older sessions
// (sessions: hash, device, app, age, unconfirmed...) and may date its new logins back
// (new_session_age). account.getAuthorizations lists them, the caller's first with hash
// 0. account.resetAuthorization (400 HASH_INVALID for an unknown hash or the caller's
// own) and auth.resetAuthorizations answer 406 FRESH_RESET_AUTHORISATION_FORBIDDEN while
// the caller is less than 24 hours old; a terminated session's key then answers 401
// SESSION_REVOKED. account.changeAuthorizationSettings confirmed=true confirms one.
// account.invalidateSignInCodes with the account's code kills its live codes.
// account.updatePasswordSettings checks the current password with SRP (as
// auth.checkPassword), keeps a new password's verifier or removes it
// (passwordKdfAlgoUnknown; NEW_SETTINGS_EMPTY without one), and with an e-mail answers
// 400 EMAIL_UNCONFIRMED_6: the change waits for account.confirmPasswordEmail with D six
// times (CODE_INVALID otherwise), account.resendPasswordEmail or
// account.cancelPasswordEmail (EMAIL_HASH_EXPIRED when nothing waits).
//
// help.getConfig and help.getCdnConfig are answered by tgtest's config
// service; unknown methods by 400 INPUT_METHOD_INVALID.
//
// # Misbehaving clients and lost keys
//
// A DC reads each new connection's transport header in a goroutine of its
// own, under a 30 s deadline: a connection closed before its first byte, or
// one that never speaks, never stops the DC nor delays other clients.
// Restart forgets every auth key (what is bound to one goes with it); a key
// the DCs do not know is answered with transport error -404, as Telegram
// does, and gotd's client then makes a new key by itself.
package testdc
