package sessionfmt_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"testing"

	"github.com/gotd/td/session"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/sessionfmt"
)

// stored returns gotd's session JSON for a session on DC 3 at addr, as tgauth stores it.
func stored(t *testing.T, addr string) ([]byte, []byte) {
	t.Helper()
	key := bytes.Repeat([]byte{0xAB, 0x01}, 128)
	var mem session.StorageMemory
	if err := (&session.Loader{Storage: &mem}).Save(context.Background(), &session.Data{DC: 3, Addr: addr, AuthKey: key, AuthKeyID: key[:8]}); err != nil {
		t.Fatal(err)
	}
	data, err := mem.LoadSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return data, key
}

func TestTelethonDecodesWithGotd(t *testing.T) {
	for _, addr := range []string{"149.154.175.100:443", "[2001:b28:f23d:f003::a]:443"} {
		data, key := stored(t, addr)
		s, err := sessionfmt.Encode("telethon", data, sessionfmt.Account{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := session.TelethonSession(s)
		if err != nil {
			t.Fatalf("gotd cannot read %s: %v", addr, err)
		}
		if d.DC != 3 || d.Addr != addr || !bytes.Equal(d.AuthKey, key) {
			t.Fatalf("decoded %+v", d)
		}
	}
}

func TestTelethonTakesTheAddressFromTheConfig(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 256)
	var mem session.StorageMemory
	d := &session.Data{DC: 2, AuthKey: key, AuthKeyID: key[:8], Config: session.Config{DCOptions: []tg.DCOption{
		{ID: 1, IPAddress: "10.0.0.1", Port: 1},
		{ID: 2, IPAddress: "2001:db8::2", Port: 2, Ipv6: true},
		{ID: 2, IPAddress: "10.0.0.2", Port: 443, MediaOnly: true},
		{ID: 2, IPAddress: "10.0.0.3", Port: 444},
	}}}
	if err := (&session.Loader{Storage: &mem}).Save(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	data, _ := mem.LoadSession(context.Background())
	s, err := sessionfmt.Encode("telethon", data, sessionfmt.Account{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := session.TelethonSession(s)
	if err != nil || got.Addr != "10.0.0.3:444" {
		t.Fatalf("decoded %v, %v; want the DC's IPv4 non-media address", got, err)
	}
}

func TestPyrogramLayout(t *testing.T) {
	data, key := stored(t, "127.0.0.1:443")
	s, err := sessionfmt.Encode("pyrogram", data, sessionfmt.Account{APIID: 12345, UserID: 1 << 40, Bot: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 1+4+1+256+8+1 {
		t.Fatalf("%d bytes, %v", len(b), err)
	}
	if b[0] != 3 || binary.BigEndian.Uint32(b[1:5]) != 12345 || b[5] != 0 || !bytes.Equal(b[6:262], key) ||
		binary.BigEndian.Uint64(b[262:270]) != 1<<40 || b[270] != 1 {
		t.Fatalf("layout wrong: % x", b[:8])
	}
	for _, id := range []int{0, -1, 1 << 32} {
		if _, err := sessionfmt.Encode("pyrogram", data, sessionfmt.Account{APIID: id}); err == nil {
			t.Errorf("API id %d taken", id)
		}
	}
	s, err = sessionfmt.Encode("pyrogram", data, sessionfmt.Account{APIID: 1, TestMode: true})
	if b, _ := base64.RawURLEncoding.DecodeString(s); err != nil || b[5] != 1 {
		t.Fatalf("test mode not set: %v", err)
	}
}

func TestGotdIsTheStoredJSONAndBadInputIsAnError(t *testing.T) {
	data, _ := stored(t, "127.0.0.1:443")
	if s, err := sessionfmt.Encode("gotd", data, sessionfmt.Account{}); err != nil || s != string(data) {
		t.Fatalf("gotd export differs: %v", err)
	}
	if _, err := sessionfmt.Encode("tdlib", data, sessionfmt.Account{}); err == nil {
		t.Fatal("unknown format accepted")
	}
	if _, err := sessionfmt.Encode("telethon", []byte(`{"Version":1,"Data":{}}`), sessionfmt.Account{}); err == nil {
		t.Fatal("a session without a key was exported")
	}
}
