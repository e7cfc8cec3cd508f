package postgres

import (
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/internal/logindoc"
)

// optTime returns t as stored in a nullable time column: NULL for a zero time.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// optLimit returns limit as a LIMIT parameter: NULL, no limit, for 0.
func optLimit(limit int) *int64 {
	if limit <= 0 {
		return nil
	}
	n := int64(limit)
	return &n
}

// scanLogin reads a row of (version, doc).
func scanLogin(row pgx.Row) (*machine.Login, error) {
	var (
		version int64
		doc     []byte
	)
	if err := row.Scan(&version, &doc); err != nil {
		return nil, err
	}
	return logindoc.Decode(doc, version)
}

// collectLogins reads all rows of (version, doc).
func collectLogins(rows pgx.Rows, err error) ([]*machine.Login, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*machine.Login, error) {
		return scanLogin(row)
	})
}
