package testdc

import (
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"math/big"
	"sync"

	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// The server side of Telegram's SRP 2FA (core.telegram.org/api/srp), with
// algorithm passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow
// over Telegram's 2048-bit group: g = 3 and srpPrime.
const srpG = 3

// srpPrime is the 2048-bit safe prime Telegram sends in account.password.
var srpPrime = mustHex("" +
	"c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f" +
	"48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37" +
	"20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64" +
	"2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4" +
	"a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754" +
	"fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4" +
	"e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f" +
	"0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// password is a 2FA password as the server keeps it: the salts and the
// verifier v = g^x mod p, x = PH2(password, salt1, salt2). The verifier of
// a world password is derived on first use: PBKDF2 with 100000 rounds is
// slow.
type password struct {
	once  sync.Once
	plain string
	salt1 []byte
	salt2 []byte
	v     *big.Int
}

func newPassword(plain string) *password {
	return &password{plain: plain}
}

// passwordFromSettings is a password set by a client (new_settings of
// auth.recoverPassword), which sends the verifier itself.
func passwordFromSettings(s tg.AccountPasswordInputSettings) (*password, error) {
	a, ok := s.NewAlgo.(*tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow)
	if !ok || a.G != srpG || !bytes.Equal(a.P, srpPrime) || len(s.NewPasswordHash) == 0 || len(s.NewPasswordHash) > 256 {
		return nil, tgerr.New(400, "NEW_SETTINGS_INVALID")
	}
	p := &password{salt1: a.Salt1, salt2: a.Salt2, v: new(big.Int).SetBytes(s.NewPasswordHash)}
	p.once.Do(func() {})
	return p, nil
}

// derive computes the salts and verifier of a world password, once. salt1
// is 40 bytes, as after a client appended its 32 random bytes to the 8 of
// new_algo.
func (p *password) derive() {
	p.once.Do(func() {
		p.salt1, p.salt2 = randomBytes(40), randomBytes(16)
		x := new(big.Int).SetBytes(ph2([]byte(p.plain), p.salt1, p.salt2))
		p.v = new(big.Int).Exp(bigG, x, bigP)
	})
}

// ph2 is PH2(password, salt1, salt2) :=
// SH(pbkdf2(sha512, PH1(password, salt1, salt2), salt1, 100000), salt2),
// with PH1(password, salt1, salt2) := SH(SH(password, salt1), salt2) and
// SH(data, salt) := H(salt | data | salt).
func ph2(password, salt1, salt2 []byte) []byte {
	ph1 := srpHash(salt2, srpHash(salt1, password, salt1), salt2)
	key, err := pbkdf2.Key(sha512.New, string(ph1), salt1, 100000, 64)
	if err != nil {
		panic(err) // cannot happen: SHA-512, a 64-byte key and a 40-byte salt1
	}
	return srpHash(salt2, key, salt2)
}

func (p *password) algo() *tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow {
	return &tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow{
		Salt1: p.salt1, Salt2: p.salt2, G: srpG, P: srpPrime,
	}
}

// srpChallenge is one account.getPassword answer: srp_id, the server's
// secret b and srp_B = k*v + g^b mod p.
type srpChallenge struct {
	id   int64
	pass *password
	b    *big.Int
	gb   []byte // srp_B, 256 bytes
}

var (
	bigP = new(big.Int).SetBytes(srpPrime)
	bigG = big.NewInt(srpG)
)

// challenge starts an SRP exchange; p must be derived.
func (p *password) challenge() *srpChallenge {
	b := new(big.Int).SetBytes(randomBytes(256))
	// k = H(p | g), B = (k*v + g^b) mod p
	k := new(big.Int).SetBytes(srpHash(srpPrime, pad256(bigG)))
	gb := new(big.Int).Exp(bigG, b, bigP)
	gb.Add(gb, k.Mul(k, p.v)).Mod(gb, bigP)
	return &srpChallenge{
		id:   int64(binary.LittleEndian.Uint64(randomBytes(8)) >> 1),
		pass: p,
		b:    b,
		gb:   pad256(gb),
	}
}

// verify checks the client's proof M1 for its public value A:
// u = H(A | B), S = (A * v^u)^b mod p, K = H(S),
// M1 = H(H(p) xor H(g) | H(salt1) | H(salt2) | A | B | K).
func (ch *srpChallenge) verify(aBytes, m1 []byte) bool {
	a := new(big.Int).SetBytes(aBytes)
	if a.Sign() <= 0 || a.Cmp(bigP) >= 0 {
		return false
	}
	ga := pad256(a)
	u := new(big.Int).SetBytes(srpHash(ga, ch.gb))
	s := new(big.Int).Exp(ch.pass.v, u, bigP)
	s.Mul(s, a).Mod(s, bigP)
	s.Exp(s, ch.b, bigP)
	k := srpHash(pad256(s))

	hp, hg := sha256.Sum256(srpPrime), sha256.Sum256(pad256(bigG))
	for i := range hp {
		hp[i] ^= hg[i]
	}
	want := srpHash(hp[:], srpHash(ch.pass.salt1), srpHash(ch.pass.salt2), ga, ch.gb, k)
	return subtle.ConstantTimeCompare(want, m1) == 1
}

func srpHash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

func pad256(i *big.Int) []byte {
	return i.FillBytes(make([]byte, 256))
}

func (d *DC) registerPassword(r *tg.ServerDispatcher) {
	r.OnAccountGetPassword(d.getPassword)
	r.OnAuthCheckPassword(d.checkPassword)
	r.OnAuthRequestPasswordRecovery(d.requestPasswordRecovery)
	r.OnAuthCheckRecoveryPassword(d.checkRecoveryPassword)
	r.OnAuthRecoverPassword(d.recoverPassword)
}

// passwordAccount is the account whose password the calling key deals
// with: the one waiting for its password, else the authorized one.
func (s *state) passwordAccount(c call) (*keyState, *account, error) {
	k := s.key(c)
	if k.pending != nil {
		return k, k.pending, nil
	}
	if k.userID != 0 {
		return k, s.users[k.userID], nil
	}
	return nil, nil, errUnregistered
}

// getPassword answers account.password: for a 2FA account the current
// algorithm, a fresh srp_B and srp_id, hint and has_recovery; always a
// new_algo for setting a password. 401 AUTH_KEY_UNREGISTERED for a key that
// is neither authorized nor waiting for a password.
func (d *DC) getPassword(ctx context.Context) (*tg.AccountPassword, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	_, acc, err := s.passwordAccount(c)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	pass, hint, recovery := acc.pass, acc.hint, acc.recoveryEmail != ""
	var unconfirmed string
	if acc.pendingPass != nil {
		unconfirmed = maskEmail(acc.pendingPass.email)
	}
	s.mu.Unlock()

	res := &tg.AccountPassword{
		NewAlgo: &tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow{
			Salt1: randomBytes(8), Salt2: randomBytes(16), G: srpG, P: srpPrime,
		},
		NewSecureAlgo: &tg.SecurePasswordKdfAlgoPBKDF2HMACSHA512iter100000{Salt: randomBytes(8)},
		SecureRandom:  randomBytes(256),
	}
	if unconfirmed != "" {
		res.SetEmailUnconfirmedPattern(unconfirmed)
	}
	if pass == nil {
		return res, nil
	}
	pass.derive() // outside the lock: it takes a while, once per password
	ch := pass.challenge()
	res.HasPassword = true
	res.HasRecovery = recovery
	res.CurrentAlgo = pass.algo()
	res.SRPB = ch.gb
	res.SRPID = ch.id
	res.Hint = hint

	s.mu.Lock()
	s.key(c).srp = ch
	s.mu.Unlock()
	return res, nil
}

// checkPassword verifies the SRP proof against the last account.getPassword
// of the key: SRP_ID_INVALID for another srp_id, PASSWORD_HASH_INVALID for a
// wrong password; else the key is authorized.
func (d *DC) checkPassword(ctx context.Context, in tg.InputCheckPasswordSRPClass) (tg.AuthAuthorizationClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	k, acc, err := s.passwordAccount(c)
	if err != nil {
		return nil, err
	}
	proof, ok := in.(*tg.InputCheckPasswordSRP)
	if !ok || acc.pass == nil {
		return nil, errPasswordInvalid
	}
	if k.srp == nil || k.srp.id != proof.SRPID || k.srp.pass != acc.pass {
		return nil, tgerr.New(400, "SRP_ID_INVALID")
	}
	if !k.srp.verify(proof.A, proof.M1) {
		return nil, errPasswordInvalid
	}
	return s.authorize(c, acc), nil
}

var errPasswordInvalid = tgerr.New(400, "PASSWORD_HASH_INVALID")

// requestPasswordRecovery "mails" the recovery code (the DC digit six
// times) to the recovery e-mail: PASSWORD_RECOVERY_NA without one.
func (d *DC) requestPasswordRecovery(ctx context.Context) (*tg.AuthPasswordRecovery, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	k, acc, err := s.passwordAccount(c)
	if err != nil {
		return nil, err
	}
	if acc.pass == nil || acc.recoveryEmail == "" {
		return nil, tgerr.New(400, "PASSWORD_RECOVERY_NA")
	}
	k.recovery = true
	return &tg.AuthPasswordRecovery{EmailPattern: maskEmail(acc.recoveryEmail)}, nil
}

// recoveryCode checks a recovery code: CODE_INVALID when wrong or never
// requested.
func (s *state) recoveryCode(c call, code string) (*account, error) {
	k, acc, err := s.passwordAccount(c)
	if err != nil {
		return nil, err
	}
	if !k.recovery || acc.pass == nil || code != digitCode(acc.dc, mailCodeLength) {
		return nil, tgerr.New(400, "CODE_INVALID")
	}
	return acc, nil
}

func (d *DC) checkRecoveryPassword(ctx context.Context, code string) (bool, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, err := s.recoveryCode(c, code); err != nil {
		return false, err
	}
	return true, nil
}

// recoverPassword, with the right recovery code, removes the password (and
// its hint and recovery e-mail), or replaces it by new_settings, and
// authorizes the key.
func (d *DC) recoverPassword(ctx context.Context, req *tg.AuthRecoverPasswordRequest) (tg.AuthAuthorizationClass, error) {
	c := callOf(ctx)
	s := d.st
	s.mu.Lock()
	defer s.mu.Unlock()

	acc, err := s.recoveryCode(c, req.Code)
	if err != nil {
		return nil, err
	}
	if settings, ok := req.GetNewSettings(); ok && settings.NewAlgo != nil {
		pass, err := passwordFromSettings(settings)
		if err != nil {
			return nil, err
		}
		acc.pass, acc.hint = pass, settings.Hint
	} else {
		acc.pass, acc.hint, acc.recoveryEmail = nil, "", ""
	}
	return s.authorize(c, acc), nil
}
