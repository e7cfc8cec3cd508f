package memory_test

import (
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) machine.Store { return memory.New() })
}

// TestTwoEngines: two engines on the one store drive 500 logins at once; see
// storetest.TwoEngines.
func TestTwoEngines(t *testing.T) {
	s := memory.New()
	storetest.TwoEngines(t, s, s, storetest.EnginesConfig{Logins: 500})
}

func BenchmarkUpdate(b *testing.B) {
	storetest.BenchmarkUpdate(b, memory.New())
}
