package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/replay"
	"github.com/tgauth/tgauth/scenario"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mock"
)

// replayTime replays traces of phone logins of two lengths and gives the time per 100k
// entries of each: flat when replay is linear in the trace.
func replayTime(ctx context.Context, env *env) (*result, error) {
	one, err := recordedLogin(ctx)
	if err != nil {
		return nil, err
	}
	sizes := []int{env.cfg.size(2000, 200), env.cfg.size(10000, 1000)} // logins per trace
	traces := make([]*replay.Trace, len(sizes))
	for i, n := range sizes {
		traces[i] = repeatLogin(one, n)
	}
	per100k := make([][]float64, len(sizes))
	for range env.cfg.rounds {
		for i, t := range traces {
			start := time.Now()
			if _, err := scenario.Replay(ctx, t); err != nil {
				return nil, fmt.Errorf("replay of %d entries: %w", len(t.Entries), err)
			}
			per100k[i] = append(per100k[i], time.Since(start).Seconds()*100_000/float64(len(t.Entries)))
		}
	}
	res := &result{}
	var rows [][]string
	for i, t := range traces {
		rows = append(rows, []string{fmt.Sprintf("%s logins, %s entries", group(fmt.Sprint(sizes[i])), group(fmt.Sprint(len(t.Entries)))),
			res.figure(fmt.Sprintf("replay s per 100k entries, %d entries", len(t.Entries)), median(per100k[i]), "s")})
	}
	res.table([]string{"trace", "s per 100k entries"}, rows)
	res.para("A trace is one phone login recorded through the engine with `replay.Recorder` over a mock Telegram "+
		"(phone, code, Authorized: %d entries), repeated for many logins with IDs of their own; `scenario.Replay` "+
		"(what `tgauth replay` runs) re-drives the engine from it and checks every state. %d rounds, the two "+
		"lengths in turn; medians.", len(one.Entries), env.cfg.rounds)
	short, long := median(per100k[0]), median(per100k[len(per100k)-1])
	note := ""
	if long > 1 {
		note = fmt.Sprintf("over by %.0f %%; the time per entry of the longer trace is %.2f× the shorter's (linear), "+
			"spent in the engine's step and the Player's JSON (decoding results, canonical requests)", 100*(long-1), long/short)
	}
	res.target("Replay time per 100k entries", "≤ 1 s", num(long)+" s", long <= 1, note)
	return res, nil
}

// recordedLogin records one phone login (phone, code, Authorized) through the engine
// over a mock Telegram and returns its trace.
func recordedLogin(ctx context.Context) (*replay.Trace, error) {
	api := &mock.API{DataCenter: 2}
	mock.Handle(api, func(context.Context, tgapi.SendCode) (tgapi.SendCodeResult, error) {
		return tgapi.SendCodeResult{Code: &tgapi.SentCode{Type: tgapi.CodeApp, Length: 5, PhoneCodeHash: "h"}}, nil
	})
	mock.Handle(api, func(context.Context, tgapi.SignIn) (tgapi.Authorization, error) {
		return tgapi.Authorization{User: &tgapi.User{ID: 1}}, nil
	})
	var buf bytes.Buffer
	rec := replay.NewRecorder(&buf, replay.RecorderOptions{})
	e, err := machine.New(machine.Options{Store: memory.New(), Telegram: rec.Connector(api.Connector()), Observer: rec})
	if err != nil {
		return nil, err
	}
	snap, err := e.Start(ctx, machine.StartOptions{ID: "L", Input: machine.SubmitPhone{Phone: "+9996621234"}})
	if err == nil {
		_, err = e.Send(ctx, snap.ID, machine.SubmitCode{Code: "22222"})
	}
	if err != nil {
		return nil, err
	}
	return replay.Read(&buf)
}

// repeatLogin returns a trace of n copies of one login's entries, each copy's login
// named apart, under its header.
func repeatLogin(one *replay.Trace, n int) *replay.Trace {
	t := &replay.Trace{Header: one.Header}
	for i := range n {
		for _, e := range one.Entries {
			e.Login = fmt.Sprintf("L%d", i)
			t.Entries = append(t.Entries, e)
		}
	}
	return t
}
