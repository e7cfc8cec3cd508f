// Package sessionfmt writes an authorized tgauth session in the formats other Telegram
// libraries load: gotd's session file, Telethon's StringSession and Pyrogram's session
// string. The input is the session as tgauth stores it (gotd's session JSON).
//
// The output holds the account's auth key: whoever has it is logged in as that account.
package sessionfmt

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"

	"github.com/gotd/td/session"
)

// Formats lists the formats Encode knows.
var Formats = []string{"gotd", "telethon", "pyrogram"}

// Account is what Pyrogram's format stores beside the key.
type Account struct {
	// APIID is the Telegram API id, 1 to math.MaxInt32.
	APIID  int
	UserID int64
	Bot    bool
	// TestMode says the session is of Telegram's test DCs (or a test DC of one's own).
	TestMode bool
}

// Encode writes the stored session data (gotd's session JSON) in format.
func Encode(format string, data []byte, acct Account) (string, error) {
	d, err := decode(data)
	if err != nil {
		return "", err
	}
	switch format {
	case "gotd":
		return string(data), nil
	case "telethon":
		return telethon(d)
	case "pyrogram":
		return pyrogram(d, acct)
	}
	return "", fmt.Errorf("sessionfmt: unknown format %q; want one of %v", format, Formats)
}

func decode(data []byte) (*session.Data, error) {
	var mem session.StorageMemory
	if err := mem.StoreSession(context.Background(), data); err != nil {
		return nil, err
	}
	d, err := (&session.Loader{Storage: &mem}).Load(context.Background())
	if err != nil {
		return nil, fmt.Errorf("sessionfmt: decode the stored session: %w", err)
	}
	if len(d.AuthKey) != 256 {
		return nil, errors.New("sessionfmt: the stored session has no auth key")
	}
	return d, nil
}

// telethon packs '>B4sH256s' (or 16 bytes of IPv6) after version '1', base64url.
func telethon(d *session.Data) (string, error) {
	host, portStr, err := net.SplitHostPort(address(d))
	if err != nil {
		return "", fmt.Errorf("sessionfmt: the session's address %q: %w", d.Addr, err)
	}
	ip := net.ParseIP(host)
	port, err := strconv.Atoi(portStr)
	if ip == nil || err != nil {
		return "", fmt.Errorf("sessionfmt: the session's address %q is not IP:port", d.Addr)
	}
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	b := []byte{byte(d.DC)}
	b = append(b, ip...)
	b = binary.BigEndian.AppendUint16(b, uint16(port))
	b = append(b, d.AuthKey...)
	return "1" + base64.URLEncoding.EncodeToString(b), nil
}

// pyrogram packs '>BI?256sQ?' (dc, api id, test mode, key, user id, bot), base64url
// without padding: Pyrogram's string session.
func pyrogram(d *session.Data, a Account) (string, error) {
	if a.APIID <= 0 || a.APIID > math.MaxInt32 {
		return "", fmt.Errorf("sessionfmt: Pyrogram sessions carry the API id, 1 to %d; got %d", math.MaxInt32, a.APIID)
	}
	b := []byte{byte(d.DC)}
	b = binary.BigEndian.AppendUint32(b, uint32(a.APIID))
	b = append(b, boolByte(a.TestMode))
	b = append(b, d.AuthKey...)
	b = binary.BigEndian.AppendUint64(b, uint64(a.UserID))
	b = append(b, boolByte(a.Bot))
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// address is the session's DC address: the one the session recorded, else the DC's
// first IPv4 option (then any option) in the config Telegram sent.
func address(d *session.Data) string {
	if d.Addr != "" {
		return d.Addr
	}
	var fallback string
	for _, o := range d.Config.DCOptions {
		if o.ID != d.DC || o.MediaOnly || o.CDN {
			continue
		}
		addr := net.JoinHostPort(o.IPAddress, strconv.Itoa(o.Port))
		if !o.Ipv6 {
			return addr
		}
		if fallback == "" {
			fallback = addr
		}
	}
	return fallback
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
