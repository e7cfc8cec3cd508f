package tgapi

import (
	"context"
	"errors"
	"time"
)

// PoolKey is an MTProto auth key made ahead of time and bound to no account: a session
// (auth key, DC, salt) in the connector's format, opaque here, that a new login starts on
// instead of exchanging a key after the person typed the phone.
type PoolKey struct {
	// DC is the data center the key was made with; it is good there only.
	DC int
	// Made is when the key was made; keys past a maximum age are not handed out.
	Made time.Time
	// Session is the connector's session bytes holding the key. It is secret: whoever
	// has it can use the key, and, once a login signed in on it, the account.
	Session []byte
}

// ErrNoKey is what KeyPool.TakeKey returns when the pool holds no usable key of the DC.
var ErrNoKey = errors.New("no auth key made ahead of time for this DC")

// KeyPool keeps auth keys made ahead of time (see PoolKey), per DC. Every key is handed
// out at most once, also across processes sharing one pool. The stores of package store
// implement it (sealing the keys where they seal sessions); the connector of package
// tgapi/mtproto fills it and takes from it.
type KeyPool interface {
	// PutKey adds a key to the pool.
	PutKey(ctx context.Context, k PoolKey) error
	// TakeKey removes the keys of DC dc made before notBefore, then removes and returns
	// the oldest remaining key of the DC, or ErrNoKey.
	TakeKey(ctx context.Context, dc int, notBefore time.Time) (PoolKey, error)
	// CountKeys returns how many keys of DC dc made at or after notBefore the pool holds.
	CountKeys(ctx context.Context, dc int, notBefore time.Time) (int, error)
}

// Filler is implemented by a Connector that prepares, in the background, what logins
// will need (auth keys made ahead of time). The engine's Run runs Fill until its context
// is done; Fill returns then.
type Filler interface {
	Fill(ctx context.Context)
}

// Unwrapper is implemented by a Connector that wraps another (a recorder, metrics), so
// that optional interfaces of the inner one (Filler) are found through it.
type Unwrapper interface {
	Unwrap() Connector
}

// FillerOf returns the Filler of c or of a Connector c wraps (through Unwrapper), if any.
func FillerOf(c Connector) (Filler, bool) {
	for c != nil {
		if f, ok := c.(Filler); ok {
			return f, true
		}
		u, ok := c.(Unwrapper)
		if !ok {
			break
		}
		c = u.Unwrap()
	}
	return nil, false
}
