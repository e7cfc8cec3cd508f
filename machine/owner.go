package machine

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
)

// defaultOwner names this process in leases as host/boot/pidns/pid/random (see
// Options.Owner). The boot id and PID namespace say where the pid means this process, so
// that ownerGone can tell a dead owner from one whose pid means another process.
func defaultOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return strings.Join([]string{host, bootID(), pidNamespace(), strconv.Itoa(os.Getpid()), hex.EncodeToString(b)}, "/")
}

// bootID returns the id the kernel drew for this boot, or "" where it cannot be read.
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// pidNamespace returns this process's PID namespace as /proc/self/ns/pid names it
// ("pid:[inode]"), or "" where it cannot be read.
func pidNamespace() string {
	ns, _ := os.Readlink("/proc/self/ns/pid") // "" on error
	return ns
}
