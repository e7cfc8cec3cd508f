package sqlite_test

import (
	"bufio"
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
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

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
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

// markEnv tells a child process which one of its siblings it is.
const markEnv = "TGAUTH_SQLITE_TEST_MARK"

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
			cmd.Env = append(os.Environ(), childEnv+"="+path, markEnv+"="+strconv.Itoa(i))
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
	conflicts := storetest.ConcurrentSteps(t, s, "hot", "child"+os.Getenv(markEnv), childWriters, childSteps)
	fmt.Printf("child %s: %d conflicts\n", os.Getenv(markEnv), conflicts)
}

func TestClaims(t *testing.T) {
	storetest.Claims(t, func(t *testing.T) (a, b machine.Store) {
		path := filepath.Join(t.TempDir(), "claims.db")
		return openPath(t, path), openPath(t, path)
	}, sqlite.ClaimWindow)
}

// openEnv names the file a child process of TestOpenTogether opens.
const openEnv = "TGAUTH_SQLITE_TEST_OPEN"

// openProcs is how many child processes TestOpenTogether starts, and openHandles how
// many Stores each of them, and the test itself, opens.
const openProcs, openHandles = 3, 4

// TestOpenTogether: several processes, each with several Stores, open one new file at
// the same moment. Every Open must succeed and give a Store that can write, and the file
// must end in WAL mode at the newest schema version. With -short, only the Stores of
// this process open the file.
func TestOpenTogether(t *testing.T) {
	if path := os.Getenv(openEnv); path != "" {
		openChild(t, path)
		return
	}
	path := filepath.Join(t.TempDir(), "together.db")
	procs := openProcs
	if testing.Short() {
		procs = 0
	}
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	for i := range procs {
		ready.Add(1)
		done.Go(func() { runOpenChild(t, path, i, ready.Done, release) })
	}
	ready.Wait()
	close(release)
	openStores(t, path, "parent")
	done.Wait()

	logins, err := openPath(t, path).List(t.Context(), machine.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (procs + 1) * openHandles; len(logins) != want {
		t.Errorf("%d logins, want one per Store: %d", len(logins), want)
	}
	db := rawDB(t, path)
	if got := pragma[int](t, db, "user_version"); got != sqlite.Migrations {
		t.Errorf("user_version = %d, want %d", got, sqlite.Migrations)
	}
	if got := pragma[string](t, db, "journal_mode"); got != "wal" {
		t.Errorf("journal_mode = %q, want wal", got)
	}
}

// runOpenChild runs child process i of TestOpenTogether on path. It calls ready once
// the child has started and waits to be let go (or has failed to), lets the child go
// when release is closed, and reports the child's failure.
func runOpenChild(t *testing.T, path string, i int, ready func(), release <-chan struct{}) {
	ready = sync.OnceFunc(ready)
	defer ready()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestOpenTogether$")
	cmd.Env = append(os.Environ(), openEnv+"="+path, markEnv+"="+strconv.Itoa(i))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Errorf("child %d: %v", i, err)
		return
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Errorf("child %d: %v", i, err)
		return
	}
	if err := cmd.Start(); err != nil {
		t.Errorf("child %d: %v", i, err)
		return
	}
	out := bufio.NewReader(stdout)
	first, _ := out.ReadString('\n')
	ready()
	if first == "ready\n" {
		<-release
	}
	stdin.Close()
	rest, _ := io.ReadAll(out)
	if err := cmd.Wait(); err != nil || first != "ready\n" {
		t.Errorf("child %d: %v\n%s%s%s", i, err, first, rest, stderr.Bytes())
	}
}

// openChild is the body of a child process of TestOpenTogether: it says it is ready,
// waits for its stdin to close, and opens its Stores.
func openChild(t *testing.T, path string) {
	fmt.Println("ready")
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		t.Fatal(err)
	}
	openStores(t, path, "child"+os.Getenv(markEnv))
}

// openStores opens openHandles Stores on path at once, each from a goroutine of its
// own, and creates a login named after who through each.
func openStores(t *testing.T, path, who string) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range openHandles {
		wg.Go(func() {
			<-start
			s, err := sqlite.Open(t.Context(), path)
			if err != nil {
				t.Errorf("%s: Open %d: %v", who, i, err)
				return
			}
			defer func() {
				if err := s.Close(); err != nil {
					t.Errorf("%s: Close %d: %v", who, i, err)
				}
			}()
			l := &machine.Login{ID: fmt.Sprintf("%s-%d", who, i), State: states.New}
			if err := s.Create(t.Context(), l); err != nil {
				t.Errorf("%s: Create through Store %d: %v", who, i, err)
			}
		})
	}
	close(start)
	wg.Wait()
}

// lockEnv names the file a child process of TestOpenWaitsForWALSwitch tries to lock.
const lockEnv = "TGAUTH_SQLITE_TEST_LOCK"

// TestOpenWaitsForWALSwitch: another connection of this process holds the write lock on
// a new file, still in rollback-journal mode, as one switching it to WAL does. Switching
// the file to WAL then fails with SQLITE_BUSY at once, busy timeout or not; Open must
// try again until the lock is released, and then succeed. Meanwhile Open must not have
// dropped the lock (closing a descriptor of the file would drop all this process's
// locks on it): another process must still find the file locked. With -short, that
// last check, which starts a process, is left out.
func TestOpenWaitsForWALSwitch(t *testing.T) {
	if path := os.Getenv(lockEnv); path != "" {
		tryLock(t, path)
		return
	}
	path := filepath.Join(t.TempDir(), "locked.db")
	holder, err := rawDB(t, path).Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	busy := make(chan struct{})
	sqlite.OnPause(t, sync.OnceFunc(func() { close(busy) }))
	opened := make(chan error, 1)
	go func() {
		s, err := sqlite.Open(t.Context(), path)
		if err == nil {
			err = s.Close()
		}
		opened <- err
	}()
	select {
	case <-busy:
	case err := <-opened:
		t.Fatalf("Open returned (err = %v) without waiting for the write lock", err)
	}
	if !testing.Short() {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestOpenWaitsForWALSwitch$")
		cmd.Env = append(os.Environ(), lockEnv+"="+path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("another process, while Open waited: %v\n%s", err, out)
		}
	}
	if _, err := holder.ExecContext(t.Context(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if err := <-opened; err != nil {
		t.Fatalf("Open after the lock was released: %v", err)
	}
	db := rawDB(t, path)
	if got := pragma[string](t, db, "journal_mode"); got != "wal" {
		t.Errorf("journal_mode = %q, want wal", got)
	}
	if got := pragma[int](t, db, "user_version"); got != sqlite.Migrations {
		t.Errorf("user_version = %d, want %d", got, sqlite.Migrations)
	}
}

// tryLock is the body of a child process of TestOpenWaitsForWALSwitch: taking the write
// lock on path, without waiting, must fail with SQLITE_BUSY.
func tryLock(t *testing.T, path string) {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.ExecContext(t.Context(), "BEGIN IMMEDIATE")
	var e *msqlite.Error
	if !errors.As(err, &e) || e.Code()&0xff != sqlite3.SQLITE_BUSY {
		t.Errorf("BEGIN IMMEDIATE while another process holds the write lock: err = %v, want SQLITE_BUSY", err)
	}
}
