package machine

// Observer sees every step the engine takes: the inputs it was sent, the timers it fired
// and the states it reached. A trace recorder (package replay) and a logger are observers.
// Arguments come redacted: no code, password or bot token ever reaches an observer.
// The signatures use plain strings so that an observer need not import machine.
type Observer interface {
	// Input is called when an input is accepted for a step, before any call is made.
	Input(login, event string, args map[string]string)
	// Timer is called when the scheduler fires a deadline, or recovery fires an event.
	Timer(login, event string)
	// Reached is called after a new state was persisted.
	Reached(login, state string)
}
