//go:build linux

package machine

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ownerOf names an owner as defaultOwner does, from the given parts.
func ownerOf(host, boot, ns string, pid int) string {
	return strings.Join([]string{host, boot, ns, strconv.Itoa(pid), "0badc0de"}, "/")
}

// here returns this process's host name, boot id and PID namespace; it skips the test
// where they cannot be read.
func here(t *testing.T) (host, boot, ns string) {
	t.Helper()
	host, err := os.Hostname()
	boot, ns = bootID(), pidNamespace()
	if err != nil || boot == "" || ns == "" {
		t.Skipf("cannot read host name (%v), boot id (%q) or PID namespace (%q)", err, boot, ns)
	}
	return host, boot, ns
}

// freedPID returns the pid of a child that ran and was reaped: no process has it now.
func freedPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// liveChild starts a process that lives until the test ends and returns its pid.
func liveChild(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd.Process.Pid
}

func TestOwnerGone(t *testing.T) {
	host, boot, ns := here(t)
	dead, live := freedPID(t), liveChild(t)
	for _, c := range []struct {
		name  string
		owner string
		gone  bool
	}{
		{"exited process here", ownerOf(host, boot, ns, dead), true},
		{"this engine", defaultOwner(), false},
		{"our pid", ownerOf(host, boot, ns, os.Getpid()), false},
		{"live process", ownerOf(host, boot, ns, live), false},
		{"other host", ownerOf(host+"-other", boot, ns, dead), false},
		{"other boot", ownerOf(host, "00000000-0000-0000-0000-000000000000", ns, dead), false},
		{"other PID namespace", ownerOf(host, boot, "pid:[1]", dead), false},
		{"no boot or namespace", ownerOf(host, "", "", dead), false},
		{"old format host/pid/random", host + "/" + strconv.Itoa(dead) + "/0badc0de", false},
		{"empty", "", false},
		{"pid not a number", strings.Join([]string{host, boot, ns, "x", "0badc0de"}, "/"), false},
		{"pid zero", ownerOf(host, boot, ns, 0), false},
		{"negative pid", ownerOf(host, boot, ns, -1), false},
		{"extra part", ownerOf(host, boot, ns, dead) + "/more", false},
		{"no random part", strings.Join([]string{host, boot, ns, strconv.Itoa(dead)}, "/"), false},
	} {
		if got := ownerGone(c.owner); got != c.gone {
			t.Errorf("%s: ownerGone(%q) = %v, want %v", c.name, c.owner, got, c.gone)
		}
	}
}

func TestZombieOwnerIsGone(t *testing.T) {
	host, boot, ns := here(t)
	cmd := exec.Command("sleep", "0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reaped := false
	t.Cleanup(func() {
		if !reaped {
			_ = cmd.Wait()
		}
	})
	pid := cmd.Process.Pid
	stat := fmt.Sprintf("/proc/%d/stat", pid)
	for end := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile(stat)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), ") Z ") {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the child did not become a zombie: %s", b)
		}
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("kill(%d, 0) of a zombie: %v, want no error (so ESRCH alone cannot tell)", pid, err)
	}
	owner := ownerOf(host, boot, ns, pid)
	if !ownerGone(owner) {
		t.Errorf("ownerGone(%q) of a zombie = false, want true", owner)
	}
	reaped = true
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if !ownerGone(owner) {
		t.Errorf("ownerGone(%q) of a reaped process = false, want true", owner)
	}
}

// ownerHelperEnv, set, makes TestOwnerHelper the helper process of
// TestOwnerInOtherPIDNamespaceIsNotGone.
const ownerHelperEnv = "TGAUTH_OWNER_HELPER"

// TestOwnerHelper is not a test. Run with ownerHelperEnv set, it prints "owner=" and the
// owner an engine in this process would name, then waits to be killed.
func TestOwnerHelper(t *testing.T) {
	if os.Getenv(ownerHelperEnv) == "" {
		t.Skip("the helper process of TestOwnerInOtherPIDNamespaceIsNotGone")
	}
	fmt.Println("owner=" + defaultOwner())
	time.Sleep(time.Minute) // it is killed long before; the bound ends a helper left behind
}

// An engine in another PID namespace (a container) with our host name and boot is alive
// under a pid that here is free. Its lease must not be taken over, neither while it lives
// nor once it is killed, which cannot be seen from here: the lease lapses instead.
func TestOwnerInOtherPIDNamespaceIsNotGone(t *testing.T) {
	host, boot, ns := here(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare (util-linux) is not installed")
	}
	unshare := []string{"--pid", "--fork", "--mount-proc", "--kill-child"}
	if os.Geteuid() != 0 {
		unshare = append([]string{"--user", "--map-root-user"}, unshare...)
	}
	if out, err := exec.Command("unshare", append(unshare, "true")...).CombinedOutput(); err != nil {
		t.Skipf("cannot make a PID namespace here: unshare %s true: %v: %s", strings.Join(unshare, " "), err, out)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}

	// The namespace's first process (sh) sets the namespace's last pid so that the helper
	// it starts gets pid, which no process has here.
	pid := freedPID(t)
	script := `echo $(($0 - 1)) > /proc/sys/kernel/ns_last_pid; "$@" & wait`
	cmd := exec.Command("unshare", slices.Concat(unshare, []string{"sh", "-c", script, strconv.Itoa(pid), exe, "-test.run=^TestOwnerHelper$"})...)
	cmd.Env = append(os.Environ(), ownerHelperEnv+"=1")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	owners := make(chan string, 1)
	ended := make(chan struct{}) // closed once no process holds stdout and unshare is reaped
	go func() {
		defer close(ended)
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if owner, ok := strings.CutPrefix(lines.Text(), "owner="); ok {
				owners <- owner
			}
		}
		_ = cmd.Wait()
	}()
	// Killing unshare kills the namespace's first process (--kill-child), and so the namespace.
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-ended })

	var owner string
	select {
	case owner = <-owners:
	case <-ended:
		t.Fatal("the helper ended without naming its owner")
	case <-time.After(time.Minute):
		t.Fatal("the helper named no owner within a minute")
	}
	t.Logf("owner in the new PID namespace: %s", owner)
	f := strings.Split(owner, "/")
	if len(f) != 5 || f[0] != host || f[1] != boot || f[2] == ns || f[3] != strconv.Itoa(pid) {
		t.Fatalf("owner %q: want host %s, boot %s, a PID namespace other than %s, pid %d", owner, host, boot, ns, pid)
	}
	if !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		t.Fatalf("pid %d was taken here meanwhile", pid)
	}
	if ownerGone(owner) {
		t.Fatal("the live owner in another PID namespace was taken for gone")
	}

	_ = cmd.Process.Kill()
	select {
	case <-ended:
	case <-time.After(time.Minute):
		t.Fatal("the helper outlived its PID namespace for a minute")
	}
	if ownerGone(owner) {
		t.Fatal("the killed owner in another PID namespace was taken for gone; from here that cannot be proven")
	}
}
