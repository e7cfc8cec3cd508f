package web

import (
	"bytes"
	"encoding/json"
	"maps"
	"testing"

	"github.com/tgauth/tgauth/drivers/loginstep"
)

// FuzzDecodeInput feeds the API's request decoding arbitrary bodies: it never panics,
// what it accepts survives a round trip, and every step turns it into an input or an
// *machine.InputError.
func FuzzDecodeInput(f *testing.F) {
	for _, seed := range []string{``, `{}`, `{"phone":"+9996621234"}`, `{"accept_tos":true,"first_name":"Ada"}`,
		`{"code":22222,"txn_id":"3"}`, `{"action":"resend"}`, `[]`, `null`, `{"a":{"b":1}}`, `{"a":"\u0000"}`} {
		f.Add([]byte(seed))
	}
	steps := []string{loginstep.StepIDPhone, loginstep.StepIDBotToken, loginstep.StepIDCode, loginstep.StepIDCodeExpired, loginstep.StepIDPassword, loginstep.StepIDSignUp,
		loginstep.StepIDEmail, loginstep.StepIDEmailCode, loginstep.StepIDRecoveryCode, loginstep.StepIDQR, loginstep.StepIDWait, loginstep.StepIDComplete, loginstep.StepIDClosed, ""}
	f.Fuzz(func(t *testing.T, body []byte) {
		values, err := decodeInput(bytes.NewReader(body))
		if err != nil {
			return
		}
		data, err := json.Marshal(values)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeInput(bytes.NewReader(data))
		if err != nil || !maps.Equal(values, again) {
			t.Fatalf("round trip: %v, %v != %v", err, values, again)
		}
		for _, step := range steps {
			in, err := loginstep.InputFor(step, values)
			if (in == nil) == (err == nil) {
				t.Fatalf("step %s: input %v and error %v", step, in, err)
			}
		}
	})
}
