package main

import (
	"context"
	"fmt"
	"time"

	"github.com/tgauth/tgauth/bench/keypool"
)

// keyPool times submit_phone to CodeSent with a cold and a warm auth-key pool
// (bench/keypool), against the report's test DC process.
func keyPool(ctx context.Context, env *env) (*result, error) {
	dc, err := env.testDC(ctx)
	if err != nil {
		return nil, err
	}
	rounds := env.cfg.size(2*env.cfg.rounds, 1)
	f, err := keypool.Measure(ctx, dc.config, rounds)
	if err != nil {
		return nil, err
	}
	res := &result{}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	res.table([]string{"pool", "submit_phone to CodeSent, ms"}, [][]string{
		{"cold: the login makes its auth key after the phone is submitted", res.figure("cold ms", ms(f.Cold), "ms")},
		{"warm: a key made ahead of time is taken", res.figure("warm ms", ms(f.Warm), "ms")},
	})
	res.para("`keypool.Measure`: %d logins of each kind through the engine (memory store, tgapi/mtproto), cold and "+
		"warm in turn, each on a new connector, against the test DC process; a warm login's key is made in the "+
		"connector's pool before its timing starts. Medians.", f.Rounds)
	note := ""
	if f.Ratio() > 0.2 {
		note = fmt.Sprintf("over by %.0f %%", 100*(f.Ratio()/0.2-1))
	}
	res.target("Time to CodeSent, warm pool ÷ cold", "≤ 0.2×", num(f.Ratio())+"×", f.Ratio() <= 0.2, note)
	return res, nil
}
