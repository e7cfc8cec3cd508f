//go:build linux

package machine_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mock"
)

// A login left in flight under a live lease whose owner's pid is free here is taken over
// at once only when the owner is in this PID namespace (and boot, and host); an owner in
// another namespace, or named by an earlier version, keeps it busy until the lease lapses.
func TestLeaseTakenOverEarlyOnlyWhenOwnerProvablyGone(t *testing.T) {
	host, err := os.Hostname()
	boot, errBoot := os.ReadFile("/proc/sys/kernel/random/boot_id")
	ns, errNS := os.Readlink("/proc/self/ns/pid")
	if err := errors.Join(err, errBoot, errNS); err != nil {
		t.Skipf("cannot name an owner here: %v", err)
	}
	exited := exec.Command("true")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(exited.Process.Pid) // reaped: no process has it now
	owner := func(ns string) string {
		return strings.Join([]string{host, strings.TrimSpace(string(boot)), ns, pid, "0badc0de"}, "/")
	}
	for _, c := range []struct {
		name  string
		owner string
		busy  bool
	}{
		{"other PID namespace", owner("pid:[1]"), true},
		{"old format (host, pid, random)", host + "/" + pid + "/0badc0de", true},
		{"this PID namespace", owner(ns), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			store := memory.New()
			l := &machine.Login{ID: "L", State: states.CheckingCode, Phone: "+9996621234", PhoneCodeHash: "h",
				CreatedAt: clk.Now(), Code: &machine.CodeInfo{Type: tgapi.CodeApp, Length: 5},
				LeaseOwner: c.owner, LeaseUntil: clk.Now().Add(time.Minute)}
			if err := store.Create(ctx, l); err != nil {
				t.Fatal(err)
			}
			api := &mock.API{}
			mock.Handle(api, func(context.Context, tgapi.GetSelf) (tgapi.User, error) {
				return tgapi.User{}, tgapi.NewError(401, "AUTH_KEY_UNREGISTERED")
			})
			mock.Handle(api, func(context.Context, tgapi.CancelCode) (any, error) { return nil, nil })
			_, err := newEngine(t, store, api, clk).Send(ctx, "L", machine.Cancel{})
			l, _ = store.Get(ctx, "L")
			var busy *machine.BusyError
			switch {
			case c.busy && (!errors.As(err, &busy) || l.State != states.CheckingCode || len(api.Calls()) > 0):
				t.Fatalf("lease of %q: err %v, state %s, calls %v; want BusyError, CheckingCode, no call", c.owner, err, l.State, api.Calls())
			case !c.busy && (err != nil || l.State != states.Cancelled || !slices.Equal(api.Calls(), []tgapi.Method{"users.getUsers", "auth.cancelCode"})):
				t.Fatalf("lease of %q: err %v, state %s, calls %v; want it recovered and cancelled", c.owner, err, l.State, api.Calls())
			}
		})
	}
}
