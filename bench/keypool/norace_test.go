//go:build !race

package keypool_test

// raceEnabled: this test binary runs under the race detector.
const raceEnabled = false
