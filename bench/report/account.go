package main

import "context"

// accountTask sets an account task through the engine (listing the sessions of an
// authorized login) against the same call on a gotd client: the e2e benchmarks
// BenchmarkListSessionsEngine and BenchmarkListSessionsGotd, over MTProto to a test DC.
func accountTask(ctx context.Context, env *env) (*result, error) {
	return benchSection(ctx, env, []string{"./e2e"}, [][2]string{
		{"BenchmarkListSessionsGotd", "account.getAuthorizations on an authorized gotd client"},
		{"BenchmarkListSessionsEngine", "`Engine.Send(ListSessions)` on an authorized login: input, write-ahead, the call, outcome persisted (memory store)"},
	}, "bare call", env.cfg.pick("300x", "30x"), "The test DC runs in the benchmark's process, one authorized "+
		"session each. A durable task costs the round trip plus two writes of the record and the connector's "+
		"acquire and release.")
}
