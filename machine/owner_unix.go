//go:build unix

package machine

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ownerGone reports whether the engine that holds a lease is certainly gone: its owner
// name (host/pid/random, see Options.Owner) names this host and a process that no longer
// exists. A lease of a gone owner can be taken at once instead of after it lapses, which
// lets the next command recover a login whose process was killed during a call.
func ownerGone(owner string) bool {
	parts := strings.Split(owner, "/")
	if len(parts) != 3 {
		return false
	}
	host, err := os.Hostname()
	if err != nil || parts[0] != host {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
