package machine

import (
	"context"
	"errors"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

// Store persists logins, their journals, their MTProto sessions and the logout-token
// vault. The memory, SQLite and PostgreSQL stores implement it and pass one conformance
// suite (package store/storetest). Every method is safe for concurrent use, also from
// several processes sharing one database.
type Store interface {
	// Create stores a new login at version 1 (it sets l.Version). ErrExists if the ID is taken.
	Create(ctx context.Context, l *Login) error
	// Get loads a login. ErrNotFound if there is none.
	Get(ctx context.Context, id string) (*Login, error)
	// Update replaces the stored login if its stored version is still l.Version, and
	// appends the journal entries, atomically. On success l.Version is incremented; if the
	// stored version differs the store changes nothing and returns ErrConflict.
	Update(ctx context.Context, l *Login, journal ...JournalEntry) error
	// List returns logins ordered by creation time, then ID.
	List(ctx context.Context, opts ListOptions) ([]*Login, error)
	// Due returns up to limit logins whose TimerAt is set and not after now, earliest first.
	Due(ctx context.Context, now time.Time, limit int) ([]*Login, error)
	// Stale returns up to limit logins in an in-flight state whose LeaseUntil is not after now.
	Stale(ctx context.Context, now time.Time, limit int) ([]*Login, error)
	// Journal returns a login's transitions, oldest first.
	Journal(ctx context.Context, id string) ([]JournalEntry, error)

	// LoadSession returns a login's MTProto session bytes, or tgapi.ErrNoSession.
	LoadSession(ctx context.Context, id string) ([]byte, error)
	// StoreSession replaces a login's MTProto session bytes.
	StoreSession(ctx context.Context, id string, data []byte) error

	// LogoutTokens returns the future_auth_tokens kept for phone, newest first.
	LogoutTokens(ctx context.Context, phone string) ([][]byte, error)
	// AddLogoutToken keeps token for phone, newest first, evicting the oldest beyond max.
	AddLogoutToken(ctx context.Context, phone string, token []byte, max int) error

	// FloodWaits returns the waits Telegram imposed on phone that last beyond now, by
	// method (empty when there are none). They hold for every login of the phone.
	FloodWaits(ctx context.Context, phone string, now time.Time) (map[tgapi.Method]time.Time, error)
	// AddFloodWait records that Telegram asked phone to wait until before calling method
	// again. A later until replaces an earlier one, never the reverse.
	AddFloodWait(ctx context.Context, phone string, method tgapi.Method, until time.Time) error
}

// ListOptions filters List.
type ListOptions struct {
	// State, when set, keeps only logins in that state.
	State State
	// Limit caps the result; 0 means no cap.
	Limit int
}

// Store errors.
var (
	// ErrNotFound: no login with that ID.
	ErrNotFound = errors.New("login not found")
	// ErrExists: a login with that ID exists already.
	ErrExists = errors.New("login exists already")
	// ErrConflict: the login changed since it was read; nothing was written. Read it again.
	ErrConflict = errors.New("login was changed by another input at the same time; nothing was applied, check its state and try again")
)

// MaxLogoutTokens is how many future_auth_tokens are kept per phone (Telegram's limit).
const MaxLogoutTokens = 20
