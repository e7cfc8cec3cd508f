package testdc

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// state is everything "Telegram" remembers, shared by the three DCs and
// guarded by one mutex. Handlers hold it for the whole request, except
// while deriving a password verifier and while pushing updateLoginToken to
// another session.
type state struct {
	mu sync.Mutex

	now             func() time.Time
	codeTTL         time.Duration
	qrTTL           time.Duration
	maxCodeAttempts int

	accounts map[string]*account    // by normalized phone
	users    map[int64]*account     // by user ID: phone accounts and bots
	keys     map[[8]byte]*keyState  // by auth key ID
	codes    map[string]*sentCode   // by phone_code_hash
	tokens   map[string]*loginToken // by string(token)
}

// account is a user: a phone account (from the world or implicit) or a bot.
type account struct {
	id         int64
	phone      string // "" for bots
	bot        bool
	dc         int
	registered bool
	firstName  string
	lastName   string
	username   string

	pass          *password // nil: no 2FA
	hint          string
	recoveryEmail string
	loginEmail    string // set up by a setup_email_required login

	banned     bool
	floodWait  time.Duration
	floodUntil time.Time // zero until the first auth.sendCode

	codeType string
	nextType string
	timeout  int

	logoutTokens []string // future_auth_tokens handed out by auth.logOut

	auths         []*authorization // its sessions (account.go)
	newSessionAge time.Duration    // how far back a new login's session is dated
	pendingPass   *pendingPassword // a password change waiting for its e-mail's code
}

// keyState is what the DCs know about one auth key.
type keyState struct {
	userID  int64    // authorized user, 0 if none
	pending *account // account waiting for its 2FA password on this key
	srp     *srpChallenge
	// recovery is set by auth.requestPasswordRecovery.
	recovery bool
	qr       *loginToken // last token exported by this key
	client   clientInfo  // what initConnection said (account.go)
	revoked  bool        // its session was terminated by another one
}

func newState(opts Options) *state {
	s := &state{
		now:             opts.Now,
		codeTTL:         opts.CodeTTL,
		qrTTL:           opts.QRTokenTTL,
		maxCodeAttempts: opts.MaxCodeAttempts,
		accounts:        map[string]*account{},
		users:           map[int64]*account{},
		keys:            map[[8]byte]*keyState{},
		codes:           map[string]*sentCode{},
		tokens:          map[string]*loginToken{},
	}
	for _, a := range opts.World.Accounts {
		s.addWorldAccount(a)
	}
	return s
}

// addWorldAccount registers an account of the world (validated).
func (s *state) addWorldAccount(a Account) {
	phone, _ := normalizePhone(a.Phone)
	acc := s.newAccount(phone)
	acc.registered = a.Registered == nil || *a.Registered
	if a.FirstName != "" {
		acc.firstName = a.FirstName
	}
	if a.LastName != "" {
		acc.lastName = a.LastName
	}
	acc.username = a.Username
	if a.Password != "" {
		acc.pass = newPassword(a.Password)
	}
	acc.hint = a.Hint
	acc.recoveryEmail = a.RecoveryEmail
	acc.banned = a.Banned
	acc.floodWait = time.Duration(a.FloodWait) * time.Second
	if a.CodeType != "" {
		acc.codeType = a.CodeType
	}
	acc.nextType = a.NextType
	acc.timeout = a.Timeout
	s.addWorldSessions(acc, a.Sessions, a.NewSessionAge)
}

// newAccount registers a phone account with the implicit defaults.
func (s *state) newAccount(phone string) *account {
	id, _ := strconv.ParseInt(phone, 10, 64)
	acc := &account{
		id:         id,
		phone:      phone,
		dc:         phoneDC(phone),
		registered: true,
		firstName:  "Test",
		lastName:   phone[len(phone)-4:],
		codeType:   codeApp,
	}
	s.accounts[phone] = acc
	s.users[id] = acc
	return acc
}

// account finds the account of a phone, creating the implicit 99966XYYYY
// ones on first use; other unknown phones are PHONE_NUMBER_INVALID.
func (s *state) account(phone string) (*account, error) {
	p, ok := normalizePhone(phone)
	if !ok {
		return nil, errPhoneInvalid
	}
	if acc, ok := s.accounts[p]; ok {
		return acc, nil
	}
	if _, ok := testPhoneDC(p); !ok {
		return nil, errPhoneInvalid
	}
	return s.newAccount(p), nil
}

// homeAccount is account plus the PHONE_MIGRATE_X check against the DC of
// the call.
func (s *state) homeAccount(c call, phone string) (*account, error) {
	acc, err := s.account(phone)
	if err != nil {
		return nil, err
	}
	if acc.dc != c.dc {
		return nil, tgerr.New(303, "PHONE_MIGRATE_"+strconv.Itoa(acc.dc))
	}
	return acc, nil
}

// key returns the state of the calling auth key, creating it.
func (s *state) key(c call) *keyState {
	k, ok := s.keys[c.key]
	if !ok {
		k = &keyState{}
		s.keys[c.key] = k
	}
	return k
}

// self is the account the calling key is authorized as.
func (s *state) self(c call) (*account, error) {
	if k, ok := s.keys[c.key]; ok && k.userID != 0 {
		return s.users[k.userID], nil
	} else if ok && k.revoked {
		return nil, errSessionRevoked
	}
	return nil, errUnregistered
}

// authorize binds the calling key to acc and answers auth.authorization.
func (s *state) authorize(c call, acc *account) *tg.AuthAuthorization {
	k := s.key(c)
	s.authorization(c, acc)
	k.userID = acc.id
	k.pending = nil
	k.srp = nil
	k.recovery = false
	return &tg.AuthAuthorization{User: acc.user(true)}
}

// user is the tg.User of the account, as seen by itself when self is true.
func (a *account) user(self bool) *tg.User {
	u := &tg.User{
		Self:       self,
		Bot:        a.bot,
		ID:         a.id,
		AccessHash: a.id ^ 0x5eed,
		FirstName:  a.firstName,
		LastName:   a.lastName,
		Username:   a.username,
		Phone:      a.phone,
	}
	return u
}

// randomHex returns n random bytes, hex-encoded.
func randomHex(n int) string {
	return hex.EncodeToString(randomBytes(n))
}

// randomBytes returns n bytes from crypto/rand, which never fails.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// RPC errors answered in several places.
var (
	errPhoneInvalid = tgerr.New(400, "PHONE_NUMBER_INVALID")
	errUnregistered = tgerr.New(401, "AUTH_KEY_UNREGISTERED")
	errPasswordNeed = tgerr.New(401, "SESSION_PASSWORD_NEEDED")
)
