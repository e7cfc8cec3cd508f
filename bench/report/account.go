package main

import "context"

// accountTask sets an account task through the engine (listing the sessions of an
// authorized login) against the same call on a gotd client: the e2e benchmarks
// BenchmarkListSessionsEngine and BenchmarkListSessionsGotd, over MTProto to a test DC.
func accountTask(ctx context.Context, env *env) (*result, error) {
	rows := [][2]string{
		{"BenchmarkListSessionsGotd", "account.getAuthorizations on an authorized gotd client"},
		{"BenchmarkListSessionsEngine", "`Engine.Send(ListSessions)` on an authorized login: input, write-ahead, the call, outcome persisted (memory store)"},
	}
	figures, command, err := goBenchmarks(ctx, env, []string{"./e2e"}, []string{rows[0][0], rows[1][0]},
		map[bool]string{true: "30x", false: "300x"}[env.cfg.quick])
	if err != nil {
		return nil, err
	}
	res := &result{}
	benchTable(res, figures, rows, "bare call")
	res.para("Each round is one `%s` (the test DC in the benchmark's process, one authorized session each); %d "+
		"rounds, medians. A durable task costs the round trip plus two writes of the record and the "+
		"connector's acquire and release.", command, env.cfg.rounds)
	return res, nil
}
