package chat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/tgauth/tgauth/machine"
)

// convKey names a conversation.
type convKey struct{ room, user string }

// conversation is what a Bot keeps of a conversation in memory. All of it can be lost: the
// login is found again in the store (ID), and the rest is asked again.
type conversation struct {
	key convKey
	mu  sync.Mutex // one message at a time

	// id is the conversation's login ("" for none); known once it was looked up.
	id    string
	known bool
	// seen is the version of the login the last replies showed, seenID that login's ID;
	// following is the ID of the login a follower runs for ("" for none).
	seen      int64
	seenID    string
	following string
	// qr is the QR code URL the last replies showed: a follower does not send it again.
	qr string
	// bot: 'login bot' asked for a token at the start prompt.
	bot bool
	// name is the name given at the sign-up prompt, waiting for 'accept'.
	name *signUpName
	// pw is a 2fa command gathering its answers (see pwTask).
	pw *pwTask
}

type signUpName struct{ first, last string }

func (n signUpName) String() string { return strings.TrimSpace(n.first + " " + n.last) }

// conversation returns the conversation of room and user, creating it in memory.
func (b *Bot) conversation(room, user string) *conversation {
	k := convKey{room, user}
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.convs[k]
	if c == nil {
		c = &conversation{key: k}
		b.convs[k] = c
	}
	return c
}

// ID returns a new login ID for the conversation of room and user: a UUID (version 8, RFC
// 9562) whose first 60 bits are a hash of room and user and whose last 62 bits are
// random. So the step commands and the web page take it as any login ID, and a Bot finds
// a conversation's logins among the engine's (Engine.List) after a restart, with nothing
// stored beside them.
func ID(room, user string) string {
	id := prefixUUID(room, user)
	_, _ = rand.Read(id[8:])  // never fails (crypto/rand)
	id[8] = id[8]&0x3f | 0x80 // the RFC 9562 variant
	return id.String()
}

// prefixUUID is a UUID whose first 8 bytes name the conversation, with the version set.
func prefixUUID(room, user string) uuid.UUID {
	sum := sha256.Sum256(fmt.Appendf(nil, "tgauth chat %d:%s%d:%s", len(room), room, len(user), user))
	var id uuid.UUID
	copy(id[:8], sum[:8])
	id[6] = id[6]&0x0f | 0x80 // version 8: custom
	return id
}

// idPrefix is what the IDs of the conversation's logins start with: the first three
// groups of the UUID (18 characters).
func idPrefix(k convKey) string { return prefixUUID(k.room, k.user).String()[:18] }

// chatID reports whether id was made by ID (for some conversation).
func chatID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.Version() == 8 && u.Variant() == uuid.RFC4122
}

// current returns the conversation's login: the one it has in memory, else the last one
// of the store whose ID is the conversation's. ok is false when there is none.
func (b *Bot) current(ctx context.Context, c *conversation) (machine.Snapshot, bool, error) {
	if !c.known {
		logins, err := b.engine.List(ctx, machine.ListOptions{})
		if err != nil {
			return machine.Snapshot{}, false, err
		}
		prefix := idPrefix(c.key)
		for i := len(logins) - 1; i >= 0; i-- {
			if strings.HasPrefix(logins[i].ID, prefix) {
				c.id = logins[i].ID
				break
			}
		}
		c.known = true
	}
	if c.id == "" {
		return machine.Snapshot{}, false, nil
	}
	snap, err := b.engine.Resolve(ctx, c.id)
	var wrong *machine.WrongTelegramError
	switch {
	case errors.Is(err, machine.ErrNotFound):
		c.id = "" // deleted from the store
		return machine.Snapshot{}, false, nil
	case errors.As(err, &wrong):
		return snap, true, nil // it stays the conversation's; inputs are refused, saying why
	case err != nil && snap.ID == "":
		return machine.Snapshot{}, false, fmt.Errorf("conversation login %s: %w", c.id, err)
	}
	return snap, true, nil
}

// adoptable says why the conversation of k may not take over login id, or "" if it may.
func adoptable(k convKey, id string) string {
	if chatID(id) && !strings.HasPrefix(id, idPrefix(k)) {
		return "That login belongs to another chat conversation."
	}
	return ""
}
