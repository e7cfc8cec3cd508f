package scenario_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/replay"
	"github.com/tgauth/tgauth/scenario"
)

// phoneTrace returns a trace of n phone logins, each sent a code and signed in: 10
// entries a login.
func phoneTrace(tb testing.TB, n int) *replay.Trace {
	tb.Helper()
	var b strings.Builder
	b.WriteString(`{"type":"header","format":1,"tgauth":"dev","created":"2026-11-21T10:00:00Z"}` + "\n")
	for i := range n {
		login, phone := fmt.Sprintf("L%d", i), fmt.Sprintf("+999662%04d", i%10000)
		for _, line := range []string{
			`{"type":"state","t":0,"login":"%[1]s","state":"New"}`,
			`{"type":"input","t":0,"login":"%[1]s","event":"submit_phone","args":{"phone":"%[2]s"}}`,
			`{"type":"state","t":0,"login":"%[1]s","state":"SendingCode"}`,
			`{"type":"call","t":0,"login":"%[1]s","method":"auth.sendCode","request":{"phone":"%[2]s"},"result":{"code":{"type":"app","length":5,"phone_code_hash":"h"}},"dc":2}`,
			`{"type":"state","t":0,"login":"%[1]s","state":"CodeSent"}`,
			`{"type":"input","t":0,"login":"%[1]s","event":"submit_code","args":{"code":"[redacted]"}}`,
			`{"type":"state","t":0,"login":"%[1]s","state":"CheckingCode"}`,
			`{"type":"call","t":0,"login":"%[1]s","method":"auth.signIn","request":{"code":"[redacted]","phone":"%[2]s","phone_code_hash":"h"},"result":{"user":{"id":1}},"dc":2}`,
			`{"type":"state","t":0,"login":"%[1]s","state":"Authorized"}`,
		} {
			fmt.Fprintf(&b, line+"\n", login, phone)
		}
	}
	t, err := replay.Read(strings.NewReader(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestReplayManyLogins(t *testing.T) {
	if _, err := scenario.Replay(context.Background(), phoneTrace(t, 200)); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkReplay replays traces of growing length; ns/entry stays flat when replay is
// linear in the trace.
func BenchmarkReplay(b *testing.B) {
	for _, logins := range []int{1000, 4000} {
		t := phoneTrace(b, logins)
		b.Run(fmt.Sprintf("entries=%d", len(t.Entries)), func(b *testing.B) {
			for b.Loop() {
				if _, err := scenario.Replay(context.Background(), t); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(t.Entries)), "ns/entry")
		})
	}
}
