package cli

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/testdc"
)

// The Telegrams a login may belong to (machine.Options.TelegramID), besides a test DC's
// "testdc:" and its fingerprint.
const (
	telegramProduction = "production"
	telegramTestDCs    = "test" // Telegram's own test DCs (--test-dc)
)

// testDCID names a test DC by its public keys: "testdc:" and the first 16 hex digits of
// the SHA-256 over the keys (PKCS #1 DER, sorted). Every config file of one running test
// DC names the same Telegram, and a test DC started anew (new keys) another one.
func testDCID(cfg testdc.Config) (string, error) {
	keys, err := cfg.PublicKeys()
	if err != nil {
		return "", err
	}
	ders := make([][]byte, len(keys))
	for i, k := range keys {
		ders[i] = x509.MarshalPKCS1PublicKey(k.RSA)
	}
	slices.SortFunc(ders, func(a, b []byte) int { return strings.Compare(string(a), string(b)) })
	h := sha256.New()
	for _, d := range ders {
		h.Write(d)
	}
	return "testdc:" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

// wrongTelegram adds to a *machine.WrongTelegramError which flags reach the login's
// Telegram; other errors are returned as they are.
func wrongTelegram(err error) error {
	var wrong *machine.WrongTelegramError
	if !errors.As(err, &wrong) {
		return err
	}
	return fmt.Errorf("%w: %s", err, telegramHint(wrong.Login))
}

// telegramHint says which flags reach the Telegram with the given ID.
func telegramHint(id string) string {
	switch {
	case id == telegramProduction:
		return "pass --api-id and --api-hash (or TG_API_ID and TG_API_HASH) without --test-dc"
	case id == telegramTestDCs:
		return "pass --api-id and --api-hash (or TG_API_ID and TG_API_HASH) with --test-dc"
	case strings.HasPrefix(id, "testdc:"):
		return "pass --telegram testdc:FILE with the config of the 'tgauth testdc' it was started on " +
			"(a login started on the embedded test DC of 'tgauth login' cannot be continued: that DC ended with its process)"
	case id == "":
		return "it was recorded without its Telegram (by an older tgauth) and cannot be continued; start a new login"
	}
	return "pass the flags of the Telegram it was started on"
}
