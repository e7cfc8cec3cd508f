package main

import "context"

// section is one part of the report: a name (for -only), a title and the function that
// measures it.
type section struct {
	name, title string
	run         func(ctx context.Context, env *env) (*result, error)
}

// sections are the report's parts, in the order it shows them.
var sections = []section{
	{"step", "One engine step against a bare looplab/fsm Event", engineStep},
	{"durable", "Durable steps per second, 1, 8 and 64 logins in flight", durableSteps},
	{"login", "A whole login through the engine against gotd's auth.Flow", wholeLogin},
	{"keypool", "Time to CodeSent with a cold and a warm auth-key pool", keyPool},
	{"account", "An account task through the engine against the bare call", accountTask},
	{"timers", "Timers fired per second", timersFired},
	{"pending", "Pending logins: store size, memory, restart", pendingLogins},
	{"replay", "Replay time per 100k trace entries", replayTime},
}

// sectionNames lists the sections' names, for -only's help.
func sectionNames() []string {
	names := make([]string, len(sections))
	for i, s := range sections {
		names[i] = s.name
	}
	return names
}
