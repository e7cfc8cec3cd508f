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

func BenchmarkUpdate(b *testing.B) {
	storetest.BenchmarkUpdate(b, memory.New())
}
