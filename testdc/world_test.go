package testdc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestLoadWorld(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "world.json", `{"accounts": [
		{"phone": "+9996621234", "password": "pw", "hint": "h", "recovery_email": "a@b.c"},
		{"phone": "15550001234", "registered": false, "code_type": "sms", "next_type": "call", "timeout": 30},
		{"phone": "9996631234", "banned": true, "first_name": "Ann", "last_name": "Lee", "username": "ann"}
	]}`)
	w, err := LoadWorld(path)
	require.NoError(t, err)
	require.Len(t, w.Accounts, 3)
	require.Equal(t, "pw", w.Accounts[0].Password)
	require.False(t, *w.Accounts[1].Registered)
	require.Equal(t, "call", w.Accounts[1].NextType)
	require.Equal(t, "ann", w.Accounts[2].Username)

	for _, tt := range []struct{ json, want string }{
		{`{"accounts": [{"phone": "9996621234"}, {"phone": "1", "code_type": "pigeon"}]}`, `account 2 (phone "1")`},
		{`{"accounts": [{"phone": "9996621234", "code_type": "pigeon"}]}`, `unknown code_type "pigeon"`},
		{`{"accounts": [{"phone": "9996621234", "next_type": "app"}]}`, `unknown next_type "app"`},
		{`{"accounts": [{"phone": "+9996621234"}, {"phone": "9996621234"}]}`, `same phone as account 1`},
		{`{"accounts": [{"phone": "9996621234", "hint": "h"}]}`, `need a password`},
		{`{"accounts": [{"phone": "9996621234", "pasword": "typo"}]}`, `unknown field "pasword"`},
		{`{"accounts": [{"phone": "99a"}]}`, `phone must be digits`},
		{`{"accounts": [{"phone": "9996621234", "registered": false, "password": "x"}]}`, `unregistered`},
		{`{"accounts": [{"phone": "9996621234", "sessions": [{"age": "3 days"}]}]}`, `session 1: session age "3 days"`},
		{`{"accounts": [{"phone": "9996621234", "new_session_age": "-1h"}]}`, `new_session_age "-1h"`},
		{`{"accounts": [{"phone": "9996621234", "sessions": [{"devise": "typo"}]}]}`, `unknown field "devise"`},
	} {
		path := writeFile(t, "bad.json", tt.json)
		_, err := LoadWorld(path)
		require.ErrorContains(t, err, path)
		require.ErrorContains(t, err, tt.want)
	}
	_, err = LoadWorld(filepath.Join(t.TempDir(), "missing.json"))
	require.ErrorContains(t, err, "missing.json")
}

func TestConfigFile(t *testing.T) {
	t.Parallel()
	d := start(t, Options{})
	cfg := d.Config()
	require.Len(t, cfg.DCs, 3)

	path := filepath.Join(t.TempDir(), "testdc.json")
	require.NoError(t, cfg.WriteFile(path))
	read, err := ReadConfig(path)
	require.NoError(t, err)
	require.Equal(t, cfg, read)

	keys, err := read.PublicKeys()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	list := read.DCList()
	require.Len(t, list.Options, 3)
	for i, o := range list.Options {
		require.Equal(t, i+1, o.ID)
		require.Equal(t, "127.0.0.1", o.IPAddress)
	}
	opts, err := read.ClientOptions()
	require.NoError(t, err)
	require.Equal(t, 2, opts.DC)

	_, err = ReadConfig(writeFile(t, "bad.json", `{"dcs": [{"id": 1, "addr": "nowhere"}], "public_keys": []}`))
	require.ErrorContains(t, err, "DC 1")
	_, err = ReadConfig(writeFile(t, "bad.json", `{"dcs": [{"id": 1, "addr": "127.0.0.1:1"}], "public_keys": ["junk"]}`))
	require.ErrorContains(t, err, "public key 1")
}
