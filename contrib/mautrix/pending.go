package mautrix

import (
	"context"

	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/id"
)

// Pending remembers, per bridge user and flow, the ID of the tgauth login the user has in
// progress. bridgev2 keeps its login processes in memory only; this is how a bridge
// restarted mid-login finds the login again (Logins.Create). A login ID is no secret.
type Pending interface {
	// Load returns the ID of user's login in progress in flow, or "" when there is none.
	Load(ctx context.Context, user id.UserID, flow string) (string, error)
	// Save records loginID as user's login in progress in flow.
	Save(ctx context.Context, user id.UserID, flow, loginID string) error
	// Forget drops the record of user's login in progress in flow.
	Forget(ctx context.Context, user id.UserID, flow string) error
}

// KV is a Pending in the bridge's own database: bridgev2's key-value table
// (bridge.DB.KV), one key per user and flow ("tgauth.login/FLOW/MXID").
type KV struct {
	Store *database.KVQuery
}

func kvKey(user id.UserID, flow string) database.Key {
	return database.Key("tgauth.login/" + flow + "/" + string(user))
}

// Load implements Pending. bridgev2's KV store logs its errors and reports none.
func (kv KV) Load(ctx context.Context, user id.UserID, flow string) (string, error) {
	return kv.Store.Get(ctx, kvKey(user, flow)), nil
}

// Save implements Pending.
func (kv KV) Save(ctx context.Context, user id.UserID, flow, loginID string) error {
	kv.Store.Set(ctx, kvKey(user, flow), loginID)
	return nil
}

// Forget implements Pending.
func (kv KV) Forget(ctx context.Context, user id.UserID, flow string) error {
	kv.Store.Delete(ctx, kvKey(user, flow))
	return nil
}
