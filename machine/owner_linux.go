//go:build linux

package machine

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ownerGone reports whether the engine that holds a lease is provably gone, so that its
// lease can be taken at once instead of when it lapses: the next command then recovers a
// login whose process was killed during a call. The owner (see defaultOwner) must name
// this host, this boot and this process's PID namespace, and a pid other than ours that
// no process has, or only a zombie. Anything else proves nothing, and the lease lapses:
// an owner on another boot, or in another PID namespace (a container with the same host
// name), may be alive under a pid that is free here or another process's. Owner names
// written by earlier versions (host/pid/random) do not say which namespace their pid is
// in: they do not parse here, so their leases lapse too, as do those of owners set by
// hand in another form.
func ownerGone(owner string) bool {
	f := strings.Split(owner, "/") // host, boot, pidns, pid, random
	if len(f) != 5 {
		return false
	}
	host, err := os.Hostname()
	if err != nil || f[0] != host {
		return false
	}
	if boot, ns := bootID(), pidNamespace(); boot == "" || f[1] != boot || ns == "" || f[2] != ns {
		return false
	}
	pid, err := strconv.Atoi(f[3])
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) || zombie(pid)
}

// zombie reports whether process pid of our PID namespace has exited and is waiting to be
// reaped, which /proc/pid/stat shows as state Z. It is false when /proc cannot be read or
// counts pids in another namespace (then /proc/self is not our pid).
func zombie(pid int) bool {
	if self, err := os.Readlink("/proc/self"); err != nil || self != strconv.Itoa(os.Getpid()) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// "pid (comm) state ...": comm may hold spaces and parentheses, so the state is the
	// second byte after the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}
