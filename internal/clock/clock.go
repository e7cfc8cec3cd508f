// Package clock is a clock that moves only when told, for tests and replays that must
// control time: the engine, the scenario harness and the benchmarks take its Now.
package clock

import (
	"sync"
	"time"
)

// Fake is a settable clock, safe for concurrent use. The zero value starts at the zero time.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock set to t.
func New(t time.Time) *Fake { return &Fake{t: t} }

// Now returns the clock's time.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t; it never moves backwards.
func (c *Fake) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

// Advance moves the clock forward by d.
func (c *Fake) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }
