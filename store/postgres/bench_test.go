package postgres_test

import (
	"testing"

	"github.com/tgauth/tgauth/store/storetest"
)

// BenchmarkUpdate is one durable step (Get + Update with a journal entry): two round
// trips, one commit.
func BenchmarkUpdate(b *testing.B) {
	storetest.BenchmarkUpdate(b, openDSN(b, freshDSN(b)))
}
