package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"

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
