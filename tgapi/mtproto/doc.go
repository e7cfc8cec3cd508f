// Package mtproto implements tgapi on github.com/gotd/td: real MTProto, one gotd client
// (and one auth key) per login, persisted through the login's tgapi.SessionStorage.
//
// A Connector pools running clients by login ID. Connect starts a client (or reuses the
// running one) and returns an API bound to the login; the client stays connected while the
// API is used and is closed after Options.IdleTimeout without calls. An API outlives that:
// its next call starts the client again from the stored session, on the same auth key and
// DC, which is what Telegram ties a phone_code_hash to.
//
// API.Invoke makes the calls of tgapi's call table (tgapi.Calls): it takes the request
// types of package tgapi and answers the result types the table names, as values.
//
// Production, Telegram's test DCs and a test DC of one's own (package testdc) run the same
// code; they differ only in Options: nothing for production (gotd's production DC list
// and keys), TestDCs for Telegram's test DCs, DCList, PublicKeys and Resolver for testdc.
//
// Updates: a Connector is a tgapi.Updater. Every client takes the updates Telegram pushes
// to its session and hands updateLoginToken to the function set with OnUpdate, with the
// login's ID, as tgapi.LoginTokenUpdated.
//
// Errors: an RPC error Telegram returned is a *tgapi.Error (FLOOD_WAIT_30 included: the
// adapter never sleeps on a flood wait, the caller decides). PHONE_MIGRATE_X,
// NETWORK_MIGRATE_X and USER_MIGRATE_X are handled inside: the gotd client moves its
// primary connection to DC X (a new auth key there, stored in the session) and sends the
// request again, so the caller sees the answer from DC X and API.DC reports X. A failure
// on this side (the session storage failed to load or store, Options that cannot work)
// wraps ErrLocal. Any other error is a transport failure. Errors other than a
// *tgapi.Error are wrapped with the method they happened in ("mtproto: auth.signIn: ...").
// No code, password, token or key is ever part of an error or a log line written by this
// package.
package mtproto
