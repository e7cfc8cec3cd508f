// Package mtproto implements tgapi on github.com/gotd/td: real MTProto, one gotd client
// (and one auth key) per login, persisted through the login's tgapi.SessionStorage.
//
// A Connector pools running clients by login ID. Connect starts a client (or reuses the
// running one) and returns an API bound to the login; the client stays connected while the
// API is used and is closed after Options.IdleTimeout without calls. An API outlives that:
// its next call starts the client again from the stored session, on the same auth key and
// DC, which is what Telegram ties a phone_code_hash to.
//
// Production and the test DC run the same code; they differ only in Options (DCList,
// PublicKeys, Resolver). With those left empty, gotd's defaults for the production
// Telegram are used.
//
// Errors: an RPC error Telegram returned is a *tgapi.Error (FLOOD_WAIT_30 included: the
// adapter never sleeps on a flood wait, the caller decides). PHONE_MIGRATE_X,
// NETWORK_MIGRATE_X and USER_MIGRATE_X are handled inside: the gotd client moves its
// primary connection to DC X (a new auth key there, stored in the session) and sends the
// request again, so the caller sees the answer from DC X and API.DC reports X. Any other
// error is a transport failure, wrapped with the method it happened in
// ("mtproto: auth.signIn: ..."). No code, password, token or key is ever part of an error
// or a log line written by this package.
package mtproto
