//go:build !linux

package report

import (
	"errors"
	"os"
)

// fdatasync falls back to fsync where there is no fdatasync.
func fdatasync(f *os.File) error { return f.Sync() }

// Device returns the device number of the file system path is on; it is known on Linux
// only.
func Device(path string) (uint64, error) {
	return 0, errors.New("device numbers are read on Linux only")
}
