package testdc

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// sentCode is a login code "sent" by auth.sendCode, named by its
// phone_code_hash and tied to the auth key that asked for it.
type sentCode struct {
	hash     string
	key      [8]byte
	acc      *account
	typ      string // code type it was (re)sent with
	next     string // type auth.resendCode switches to, "" for none
	sent     time.Time
	attempts int  // PHONE_CODE_INVALID answers so far
	dead     bool // cancelled, replaced, used or out of attempts
	signUp   bool // auth.signIn took it for an unregistered phone
	// mailTo is the address account.sendVerifyEmailCode sent the e-mail
	// verification code to (setup_email_required).
	mailTo string
}

// nextCodeType is the fixed chain of auth.resendCode: the code is resent
// with the previous next_type, whose own next type is: sms -> call, and
// none after any other type.
func nextCodeType(t string) string {
	if t == codeSMS {
		return codeCall
	}
	return ""
}

func (d *DC) registerAuth(r *tg.ServerDispatcher) {
	r.OnAuthSendCode(d.sendCode)
	r.OnAuthResendCode(d.resendCode)
	r.OnAuthCancelCode(d.cancelCode)
	r.OnAuthSignIn(d.signIn)
	r.OnAuthSignUp(d.signUp)
	r.OnAuthLogOut(d.logOut)
	r.OnAuthImportBotAuthorization(d.importBotAuthorization)
	r.OnAccountSendVerifyEmailCode(d.sendVerifyEmailCode)
	r.OnAccountVerifyEmail(d.verifyEmail)
}

// sendCode answers, in this order: PHONE_NUMBER_INVALID, PHONE_MIGRATE_X,
// PHONE_NUMBER_BANNED, FLOOD_WAIT_X, SESSION_PASSWORD_NEEDED (a logout token
// of this 2FA account in code settings), else auth.sentCode. A new code
// replaces the previous one of the same key and phone.
func (d *DC) sendCode(ctx context.Context, req *tg.AuthSendCodeRequest) (tg.AuthSentCodeClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	acc, err := s.homeAccount(c, req.PhoneNumber)
	if err != nil {
		return nil, err
	}
	if acc.banned {
		return nil, tgerr.New(400, "PHONE_NUMBER_BANNED")
	}
	now := s.now()
	if acc.floodWait > 0 {
		if acc.floodUntil.IsZero() {
			acc.floodUntil = now.Add(acc.floodWait)
		}
		if left := acc.floodUntil.Sub(now); left > 0 {
			secs := int(math.Ceil(left.Seconds()))
			return nil, tgerr.New(420, "FLOOD_WAIT_"+strconv.Itoa(secs))
		}
	}
	if acc.pass != nil && acc.hasLogoutToken(req.Settings.LogoutTokens) {
		s.key(c).pending = acc
		return nil, errPasswordNeed
	}

	for _, old := range s.codes {
		if old.key == c.key && old.acc == acc {
			old.dead = true
		}
	}
	sc := &sentCode{
		hash: randomHex(8),
		key:  c.key,
		acc:  acc,
		typ:  acc.codeType,
		next: acc.nextType,
		sent: now,
	}
	if sc.typ == codeSetupEmail && acc.loginEmail != "" {
		sc.typ = codeEmail // the e-mail was set up by an earlier login
	}
	s.codes[sc.hash] = sc
	return sc.sentCode(), nil
}

// resendCode resends the code with its next type (see nextCodeType):
// SEND_CODE_UNAVAILABLE when there is none; PHONE_CODE_EXPIRED for a
// cancelled or expired code. The hash stays the same; the code's lifetime
// and attempts restart.
func (d *DC) resendCode(ctx context.Context, req *tg.AuthResendCodeRequest) (tg.AuthSentCodeClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	sc, err := s.liveCode(c, req.PhoneNumber, req.PhoneCodeHash)
	if err != nil {
		return nil, err
	}
	if sc.next == "" {
		return nil, tgerr.New(400, "SEND_CODE_UNAVAILABLE")
	}
	sc.typ, sc.next = sc.next, nextCodeType(sc.next)
	sc.sent = s.now()
	sc.attempts = 0
	return sc.sentCode(), nil
}

// cancelCode kills the code: signIn and resendCode then answer
// PHONE_CODE_EXPIRED.
func (d *DC) cancelCode(ctx context.Context, req *tg.AuthCancelCodeRequest) (bool, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	sc, err := s.liveCode(c, req.PhoneNumber, req.PhoneCodeHash)
	if err != nil {
		return false, err
	}
	sc.dead = true
	return true, nil
}

// signIn checks the code (phone_code, or email_verification for e-mail
// codes): PHONE_CODE_INVALID when wrong (MaxCodeAttempts of them kill the
// code), PHONE_CODE_EXPIRED when dead or older than CodeTTL; then
// auth.authorizationSignUpRequired for an unregistered phone, 401
// SESSION_PASSWORD_NEEDED for a 2FA account, else the key is authorized.
func (d *DC) signIn(ctx context.Context, req *tg.AuthSignInRequest) (tg.AuthAuthorizationClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	sc, err := s.liveCode(c, req.PhoneNumber, req.PhoneCodeHash)
	if err != nil {
		return nil, err
	}
	code, ok := req.GetPhoneCode()
	if v, isMail := req.EmailVerification.(*tg.EmailVerificationCode); isMail {
		code, ok = v.Code, true
	}
	if !ok || code == "" {
		return nil, tgerr.New(400, "PHONE_CODE_EMPTY")
	}
	acc := sc.acc
	// A setup_email_required code has no login code until an e-mail is
	// verified (account.verifyEmail), so nothing matches it.
	if sc.typ == codeSetupEmail || code != digitCode(acc.dc, loginCodeLength) {
		sc.attempts++
		if sc.attempts >= s.maxCodeAttempts {
			sc.dead = true
		}
		return nil, tgerr.New(400, "PHONE_CODE_INVALID")
	}
	if sc.mailTo != "" {
		acc.loginEmail = sc.mailTo
	}
	if !acc.registered {
		sc.signUp = true
		return &tg.AuthAuthorizationSignUpRequired{TermsOfService: termsOfService()}, nil
	}
	sc.dead = true
	if acc.pass != nil {
		s.key(c).pending = acc
		return nil, errPasswordNeed
	}
	return s.authorize(c, acc), nil
}

// signUp registers the phone after auth.signIn answered
// auth.authorizationSignUpRequired: FIRSTNAME_INVALID for an empty first
// name, PHONE_NUMBER_OCCUPIED for a registered phone, PHONE_CODE_INVALID if
// auth.signIn did not accept the code first.
func (d *DC) signUp(ctx context.Context, req *tg.AuthSignUpRequest) (tg.AuthAuthorizationClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	if strings.TrimSpace(req.FirstName) == "" {
		return nil, tgerr.New(400, "FIRSTNAME_INVALID")
	}
	sc, err := s.liveCode(c, req.PhoneNumber, req.PhoneCodeHash)
	if err != nil {
		return nil, err
	}
	acc := sc.acc
	switch {
	case acc.registered:
		return nil, tgerr.New(400, "PHONE_NUMBER_OCCUPIED")
	case !sc.signUp:
		return nil, tgerr.New(400, "PHONE_CODE_INVALID")
	}
	sc.dead = true
	acc.registered = true
	acc.firstName = strings.TrimSpace(req.FirstName)
	acc.lastName = strings.TrimSpace(req.LastName)
	return s.authorize(c, acc), nil
}

// logOut unbinds the key; for a 2FA account it answers a future_auth_token
// that later makes auth.sendCode answer SESSION_PASSWORD_NEEDED.
func (d *DC) logOut(ctx context.Context) (*tg.AuthLoggedOut, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	acc, err := s.self(c)
	if err != nil {
		return nil, err
	}
	s.key(c).userID = 0
	s.dropAuthorization(c.key)
	out := &tg.AuthLoggedOut{}
	if acc.pass != nil {
		out.FutureAuthToken = randomBytes(32)
		acc.logoutTokens = append(acc.logoutTokens, string(out.FutureAuthToken))
	}
	return out, nil
}

// importBotAuthorization accepts a token "ID:SECRET" (ID a positive decimal
// user ID, SECRET at least 8 of [A-Za-z0-9_-]) as the bot ID, first name
// "Bot ID", on whichever DC is asked; anything else is ACCESS_TOKEN_INVALID.
// The secret is not remembered: any well-formed token of the ID works.
func (d *DC) importBotAuthorization(ctx context.Context, req *tg.AuthImportBotAuthorizationRequest) (tg.AuthAuthorizationClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	id, ok := parseBotToken(req.BotAuthToken)
	if !ok {
		return nil, errBotToken
	}
	acc := s.users[id]
	switch {
	case acc == nil:
		acc = &account{
			id:         id,
			bot:        true,
			dc:         c.dc,
			registered: true,
			firstName:  fmt.Sprintf("Bot %d", id),
			username:   fmt.Sprintf("bot%d_bot", id),
		}
		s.users[id] = acc
	case !acc.bot:
		return nil, errBotToken
	}
	return s.authorize(c, acc), nil
}

var errBotToken = tgerr.New(400, "ACCESS_TOKEN_INVALID")

func parseBotToken(token string) (int64, bool) {
	idPart, secret, ok := strings.Cut(token, ":")
	if !ok || len(secret) < 8 {
		return 0, false
	}
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != idPart {
		return 0, false
	}
	for _, r := range secret {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
		if !ok {
			return 0, false
		}
	}
	return id, true
}

// sendVerifyEmailCode, for emailVerifyPurposeLoginSetup of a
// setup_email_required code, "mails" the verification code (the DC digit
// six times) to the given address.
func (d *DC) sendVerifyEmailCode(ctx context.Context, req *tg.AccountSendVerifyEmailCodeRequest) (*tg.AccountSentEmailCode, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	sc, err := s.setupCode(c, req.Purpose)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(req.Email, "@") {
		return nil, tgerr.New(400, "EMAIL_INVALID")
	}
	sc.mailTo = req.Email
	return &tg.AccountSentEmailCode{EmailPattern: maskEmail(req.Email), Length: mailCodeLength}, nil
}

// verifyEmail checks the e-mail verification code (CODE_INVALID when
// wrong) and answers account.emailVerifiedLogin with the code "resent" by
// e-mail (auth.sentCodeTypeEmailCode, same hash); auth.signIn then takes
// the login code as email_verification.
func (d *DC) verifyEmail(ctx context.Context, req *tg.AccountVerifyEmailRequest) (tg.AccountEmailVerifiedClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	sc, err := s.setupCode(c, req.Purpose)
	if err != nil {
		return nil, err
	}
	if sc.mailTo == "" {
		return nil, tgerr.New(400, "EMAIL_VERIFY_EXPIRED")
	}
	v, ok := req.Verification.(*tg.EmailVerificationCode)
	if !ok || v.Code != digitCode(sc.acc.dc, mailCodeLength) {
		return nil, tgerr.New(400, "CODE_INVALID")
	}
	sc.typ = codeEmail
	sc.sent = s.now()
	sc.attempts = 0
	return &tg.AccountEmailVerifiedLogin{Email: sc.mailTo, SentCode: sc.sentCode()}, nil
}

// setupCode is the live setup_email_required code an e-mail verification
// purpose names; other purposes are EMAIL_NOT_ALLOWED.
func (s *state) setupCode(c call, purpose tg.EmailVerifyPurposeClass) (*sentCode, error) {
	p, ok := purpose.(*tg.EmailVerifyPurposeLoginSetup)
	if !ok {
		return nil, tgerr.New(400, "EMAIL_NOT_ALLOWED")
	}
	sc, err := s.liveCode(c, p.PhoneNumber, p.PhoneCodeHash)
	if err != nil {
		return nil, err
	}
	if sc.typ != codeSetupEmail {
		return nil, tgerr.New(400, "EMAIL_NOT_ALLOWED")
	}
	return sc, nil
}

// liveCode finds the code a phone and phone_code_hash name, for the calling
// key: PHONE_MIGRATE_X on the wrong DC, PHONE_CODE_HASH_EMPTY,
// PHONE_CODE_HASH_INVALID (unknown, or asked by another key or for another
// phone), PHONE_CODE_EXPIRED (dead, or older than CodeTTL).
func (s *state) liveCode(c call, phone, hash string) (*sentCode, error) {
	acc, err := s.homeAccount(c, phone)
	if err != nil {
		return nil, err
	}
	if hash == "" {
		return nil, tgerr.New(400, "PHONE_CODE_HASH_EMPTY")
	}
	sc, ok := s.codes[hash]
	if !ok || sc.key != c.key || sc.acc != acc {
		return nil, tgerr.New(400, "PHONE_CODE_HASH_INVALID")
	}
	if sc.dead || !s.now().Before(sc.sent.Add(s.codeTTL)) {
		return nil, tgerr.New(400, "PHONE_CODE_EXPIRED")
	}
	return sc, nil
}

// sentCode renders the code as auth.sentCode.
func (sc *sentCode) sentCode() *tg.AuthSentCode {
	return &tg.AuthSentCode{
		Type:          sc.sentCodeType(),
		PhoneCodeHash: sc.hash,
		NextType:      codeTypeOf(sc.next),
		Timeout:       sc.acc.timeout,
	}
}

func (sc *sentCode) sentCodeType() tg.AuthSentCodeTypeClass {
	switch sc.typ {
	case codeSMS:
		return &tg.AuthSentCodeTypeSMS{Length: loginCodeLength}
	case codeCall:
		return &tg.AuthSentCodeTypeCall{Length: loginCodeLength}
	case codeFlashCall:
		return &tg.AuthSentCodeTypeFlashCall{Pattern: "+99966*"}
	case codeMissedCall:
		return &tg.AuthSentCodeTypeMissedCall{Prefix: "+99966", Length: loginCodeLength}
	case codeEmail:
		return &tg.AuthSentCodeTypeEmailCode{EmailPattern: maskEmail(sc.loginEmail()), Length: loginCodeLength}
	case codeSetupEmail:
		return &tg.AuthSentCodeTypeSetUpEmailRequired{}
	case codeFragmentSMS:
		return &tg.AuthSentCodeTypeFragmentSMS{URL: "https://fragment.com/numbers", Length: loginCodeLength}
	default:
		return &tg.AuthSentCodeTypeApp{Length: loginCodeLength}
	}
}

// loginEmail is where an e-mail login code goes: the address just verified,
// the one set up by an earlier login, the recovery e-mail, or a made-up one.
func (sc *sentCode) loginEmail() string {
	for _, e := range []string{sc.mailTo, sc.acc.loginEmail, sc.acc.recoveryEmail} {
		if e != "" {
			return e
		}
	}
	return "test" + sc.acc.phone + "@example.com"
}

func codeTypeOf(t string) tg.AuthCodeTypeClass {
	switch t {
	case codeSMS:
		return &tg.AuthCodeTypeSMS{}
	case codeCall:
		return &tg.AuthCodeTypeCall{}
	case codeFlashCall:
		return &tg.AuthCodeTypeFlashCall{}
	case codeMissedCall:
		return &tg.AuthCodeTypeMissedCall{}
	case codeFragmentSMS:
		return &tg.AuthCodeTypeFragmentSMS{}
	default:
		return nil
	}
}

// maskEmail hides an address as Telegram does: "a***@example.com".
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "***@" + domain
	}
	return local[:1] + "***@" + domain
}

// termsOfService is what auth.authorizationSignUpRequired carries.
func termsOfService() tg.HelpTermsOfService {
	return tg.HelpTermsOfService{
		ID:   tg.DataJSON{Data: `"testdc-tos-1"`},
		Text: "Terms of Service of the test DC: accounts here are fake and wiped at will.",
	}
}

func (a *account) hasLogoutToken(tokens [][]byte) bool {
	for _, t := range tokens {
		for _, mine := range a.logoutTokens {
			if string(t) == mine {
				return true
			}
		}
	}
	return false
}
