package sqlite_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/storetest"
)

// benchDir is where benchmarks put their files: TGAUTH_BENCH_DIR, or a temporary
// directory. Point it at the disk whose fsync rate matters.
func benchDir(b *testing.B) string {
	if dir := os.Getenv("TGAUTH_BENCH_DIR"); dir != "" {
		dir, err := os.MkdirTemp(dir, "tgauth-bench-")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}

// BenchmarkUpdate is one durable step (Get + Update with a journal entry), committed
// with synchronous=FULL. Compare it with BenchmarkFsync on the same disk.
func BenchmarkUpdate(b *testing.B) {
	storetest.BenchmarkUpdate(b, openPath(b, filepath.Join(benchDir(b), "bench.db")))
}

// BenchmarkFsync is the raw rate of the disk BenchmarkUpdate writes to: 4 KiB written
// and f.Sync()ed, in a file next to where the database would be.
func BenchmarkFsync(b *testing.B) {
	f, err := os.Create(filepath.Join(benchDir(b), "fsync"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := f.WriteAt(page, 0); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGroupCommit is durable steps (Get + Update with a journal entry) of 64 logins
// at once, each goroutine on a login of its own: their writes share commits. Set it
// against BenchmarkUpdate, one step at a time.
func BenchmarkGroupCommit(b *testing.B) {
	s := openPath(b, filepath.Join(benchDir(b), "group.db"))
	var next atomic.Int64
	b.SetParallelism(32) // 64 goroutines on 2 cores
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		id := fmt.Sprintf("g%d", next.Add(1))
		if err := s.Create(b.Context(), &machine.Login{ID: id, State: states.CodeSent}); err != nil {
			b.Error(err)
			return
		}
		for k := 0; pb.Next(); k++ {
			if _, err := storetest.Step(b.Context(), s, id, fmt.Sprint(k)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	st := s.Stats()
	b.ReportMetric(float64(st.Writes)/float64(max(st.Commits, 1)), "writes/commit")
}
