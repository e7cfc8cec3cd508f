package sqlite_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/sqlite"
	"github.com/tgauth/tgauth/store/storetest"
)

// TestTwoStoresOneFile: two Stores on one file, each with several writers, race
// read-modify-write steps on one login. No SQLITE_BUSY may reach a caller and no step
// may be lost.
func TestTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a, b := openPath(t, path), openPath(t, path)
	if err := a.Create(t.Context(), &machine.Login{ID: "hot", State: states.CodeSent}); err != nil {
		t.Fatal(err)
	}
	const writers, steps = 6, 15
	var wg sync.WaitGroup
	for i, s := range []*sqlite.Store{a, b} {
		wg.Go(func() { storetest.ConcurrentSteps(t, s, "hot", fmt.Sprint("store", i), writers, steps) })
	}
	wg.Wait()
	storetest.CheckSteps(t, a, "hot", 1, 2*writers*steps)
	storetest.CheckSteps(t, b, "hot", 1, 2*writers*steps)
}

// childEnv names the file a child process of TestTwoProcesses works on.
const childEnv = "TGAUTH_SQLITE_TEST_CHILD"

// TestTwoProcesses: the same race as TestTwoStoresOneFile, between processes.
func TestTwoProcesses(t *testing.T) {
	if path := os.Getenv(childEnv); path != "" {
		runChild(t, path)
		return
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := filepath.Join(t.TempDir(), "shared.db")
	s := openPath(t, path)
	if err := s.Create(t.Context(), &machine.Login{ID: "hot", State: states.CodeSent}); err != nil {
		t.Fatal(err)
	}
	const procs = 3
	var wg sync.WaitGroup
	for i := range procs {
		wg.Go(func() {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestTwoProcesses$", "-test.v")
			cmd.Env = append(os.Environ(), childEnv+"="+path, "TGAUTH_SQLITE_TEST_MARK="+strconv.Itoa(i))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("child %d: %v\n%s", i, err, out)
			}
		})
	}
	// The parent writes too, meanwhile.
	storetest.ConcurrentSteps(t, s, "hot", "parent", childWriters, childSteps)
	wg.Wait()
	storetest.CheckSteps(t, s, "hot", 1, (procs+1)*childWriters*childSteps)
}

const childWriters, childSteps = 3, 10

// runChild is the body of a child process of TestTwoProcesses.
func runChild(t *testing.T, path string) {
	s := openPath(t, path)
	conflicts := storetest.ConcurrentSteps(t, s, "hot", "child"+os.Getenv("TGAUTH_SQLITE_TEST_MARK"), childWriters, childSteps)
	fmt.Printf("child %s: %d conflicts\n", os.Getenv("TGAUTH_SQLITE_TEST_MARK"), conflicts)
}

func TestClaims(t *testing.T) {
	storetest.Claims(t, func(t *testing.T) (a, b machine.Store) {
		path := filepath.Join(t.TempDir(), "claims.db")
		return openPath(t, path), openPath(t, path)
	}, sqlite.ClaimWindow)
}
