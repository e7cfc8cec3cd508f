package storetest

import (
	"fmt"
	"reflect"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
)

// base is the suite's clock origin: not UTC, and with nanoseconds, so that a store that
// drops the zone or the sub-second part of a time is caught.
var base = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("UTC+3", 3*3600))

// at returns base moved by d.
func at(d time.Duration) time.Time { return base.Add(d) }

// newLogin returns a login with the fields the queries look at, and nothing else.
func newLogin(id string, state machine.State, created time.Time) *machine.Login {
	return &machine.Login{
		ID:        id,
		Method:    machine.MethodPhone,
		State:     state,
		CreatedAt: created,
		UpdatedAt: created,
	}
}

// FullLogin returns a login with every field set to something other than its zero value
// (Version aside): the fields known when it was written by hand, any added to Login since
// by fill. The suite checks that it is full, so that no field is left out of the
// round-trip tests; codecs of a login use it for theirs.
func FullLogin(id string) *machine.Login {
	l := &machine.Login{
		ID:            id,
		Method:        machine.MethodQR,
		State:         states.CheckingPassword,
		Version:       42, // Create must overwrite it with 1
		DC:            4,
		Phone:         "+999661234567",
		PhoneCodeHash: "0123456789abcdef",
		Code: &machine.CodeInfo{
			Type:         tgapi.CodeSMS,
			Length:       5,
			NextType:     tgapi.CodeCall,
			Timeout:      90*time.Second + 7*time.Nanosecond,
			Pattern:      "+9996*",
			EmailPattern: "a***@example.com",
			URL:          "https://fragment.com/number/999",
		},
		Attempts:      3,
		PasswordHint:  "the usual, with a ünïcode twist \u2603",
		HasRecovery:   true,
		RecoveryEmail: "r***@example.org",
		Email:         "someone@example.net",
		EmailPattern:  "s***@example.net",
		Terms: &machine.TermsOfService{
			ID:     "tos-2025",
			Text:   "Be nice.\nLine two, \"quoted\", <tagged> & \x00 nul.",
			MinAge: 16,
			Popup:  true,
		},
		QRToken:     []byte{0, 1, 2, 0xfe, 0xff, '"', '\\'},
		QRExpiresAt: at(30 * time.Second),
		QRPollAt:    at(5 * time.Second),
		QRMigrateDC: 2,
		ResendAt:    at(time.Minute),
		ExpiresAt:   at(time.Hour),
		RetryAt:     at(2 * time.Minute),
		TimerAt:     at(5 * time.Second).In(time.UTC),
		TimerEvent:  "qr_poll",
		LeaseOwner:  "engine-7",
		LeaseUntil:  at(20 * time.Second).In(time.Local),
		User: &machine.User{
			ID:        1 << 52, // beyond float64's exact integers once doubled: JSON numbers must stay exact
			FirstName: "Ada",
			LastName:  "Lovelace",
			Username:  "ada",
			Phone:     "999661234567",
			Bot:       true,
		},
		Problem: &machine.Problem{
			Code:        machine.ProblemPasswordInvalid,
			Call:        "auth.checkPassword",
			Attempt:     2,
			MaxAttempts: 5,
			RetryAt:     at(3 * time.Minute),
			Telegram:    tgapi.NewError(400, "PASSWORD_HASH_INVALID"),
			Detail:      "the password is wrong, \"quoted\" \u2603",
		},
		Account:   &machine.Account{Sessions: []machine.Session{{Current: true, Device: "tgauth"}, {Hash: -7, Unconfirmed: true}}},
		CreatedAt: at(-time.Hour),
		UpdatedAt: at(-time.Minute),
	}
	for i := range l.Account.Sessions {
		fill(reflect.ValueOf(&l.Account.Sessions[i]).Elem())
	}
	fill(reflect.ValueOf(l).Elem())
	return l
}

// fill sets the zero fields of the struct v, and of the structs its pointers point to, to
// values that are not zero and not alike: a string names its field, a number is the
// field's index plus 7.
func fill(v reflect.Value) {
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		if !f.CanSet() {
			continue
		}
		switch {
		case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Struct && f.Type().Elem() != timeType:
			if f.IsNil() {
				f.Set(reflect.New(f.Type().Elem()))
			}
			fill(f.Elem())
		case !f.IsZero():
		case f.Type() == timeType:
			f.Set(reflect.ValueOf(at(time.Duration(i+7) * time.Second)))
		case f.Kind() == reflect.String:
			f.SetString("fill:" + sf.Name)
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		case f.CanInt():
			f.SetInt(int64(i + 7))
		case f.CanUint():
			f.SetUint(uint64(i + 7))
		case f.CanFloat():
			f.SetFloat(float64(i) + 7.5)
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Uint8:
			f.SetBytes([]byte("fill:" + sf.Name))
		}
	}
}

// zeroFields returns the paths of the fields of v (a struct, or a pointer to one) that
// hold their zero value, looking into nested structs other than time.Time.
func zeroFields(v reflect.Value, prefix string) []string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return []string{prefix}
		}
		v = v.Elem()
	}
	var out []string
	for i := 0; i < v.NumField(); i++ {
		f, name := v.Field(i), prefix+v.Type().Field(i).Name
		switch {
		case f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.Struct:
			out = append(out, zeroFields(f, name+".")...)
		case f.IsZero():
			out = append(out, name)
		}
	}
	return out
}

// checkFull fails unless FullLogin sets every field but Version.
func checkFull() error {
	var missing []string
	for _, name := range zeroFields(reflect.ValueOf(FullLogin("x")), "") {
		if name != "Version" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("storetest: FullLogin leaves %v unset and fill does not know their kind; set them so the round trip covers them", missing)
	}
	return nil
}
