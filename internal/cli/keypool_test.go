package cli

import (
	"database/sql"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, to read the store's table as it is on disk
)

// poolRows returns the IDs of the auth keys of DC dc in the key_pool table of the SQLite
// file at path, and whether any is stored in the clear (gotd's session JSON).
func poolRows(t *testing.T, path string, dc int) (ids []int64, clear bool) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id, session FROM key_pool WHERE dc = ? ORDER BY id`, dc)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var session []byte
		if err := rows.Scan(&id, &session); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		clear = clear || strings.Contains(string(session), "AuthKey")
	}
	return ids, clear
}

// waitPool waits until the pool holds n keys of DC dc; a key exchange takes seconds on a
// loaded machine under -race, so the deadline is generous.
func waitPool(t *testing.T, path string, dc, n int) []int64 {
	t.Helper()
	for end := time.Now().Add(3 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		ids, clear := poolRows(t, path, dc)
		if clear {
			t.Fatal("a key of the pool is stored in the clear")
		}
		if len(ids) == n {
			return ids
		}
		if time.Now().After(end) {
			t.Fatalf("the pool holds %d keys of DC %d, want %d", len(ids), dc, n)
		}
	}
}

// TestServeKeepsAKeyPool: 'tgauth serve --key-pool 1' keeps one sealed auth key per DC in
// the store; a phone login takes the one of DC 2, and serve makes another.
func TestServeKeepsAKeyPool(t *testing.T) {
	_, telegram := startTestDC(t)
	storeFlag, path := sqliteStore(t)
	base, stop := startServe(t, Env{}, "--listen", "127.0.0.1:0", storeFlag, telegram, "--key-pool", "1")
	defer stop()
	for _, dc := range []int{1, 3} {
		waitPool(t, path, dc, 1)
	}
	before := waitPool(t, path, 2, 1)

	res, err := http.Post(base+"/api/v1/login/start/phone", "application/json", strings.NewReader(`{"phone":"+9996621234"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"step_id":"tgauth.code"`) {
		t.Fatalf("start: %d %s", res.StatusCode, body)
	}
	after := waitPool(t, path, 2, 1)
	if slices.Contains(after, before[0]) {
		t.Fatalf("the key the login should have taken (row %d) is still in the pool", before[0])
	}
	if r := stop(); r.code != 0 {
		t.Fatalf("serve stopped with %d: %s", r.code, r.stderr)
	}
}

func TestServeRefusesBadKeyPoolFlags(t *testing.T) {
	for _, args := range [][]string{{"--key-pool", "-1"}, {"--key-pool-max-age", "0s"}} {
		r := tgauth(append([]string{"serve", "--store", "memory:"}, args...)...)
		if r.code == 0 || !strings.Contains(r.stderr, args[0]) {
			t.Errorf("serve %v: exit %d, %q", args, r.code, r.stderr)
		}
	}
}
