package sqlite

import (
	"database/sql"
	"math"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/internal/logindoc"
)

// Times outside what Unix nanoseconds can hold are stored as the nearest that can.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// nanos returns t as stored in a time column: Unix nanoseconds, or NULL for a zero time.
func nanos(t time.Time) any {
	switch {
	case t.IsZero():
		return nil
	case t.Before(minTime):
		return int64(math.MinInt64)
	case t.After(maxTime):
		return int64(math.MaxInt64)
	}
	return t.UnixNano()
}

// fromNanos is the inverse of nanos, in UTC.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanLogin reads a row of (version, doc).
func scanLogin(row scanner) (*machine.Login, error) {
	var (
		version int64
		doc     string
	)
	if err := row.Scan(&version, &doc); err != nil {
		return nil, err
	}
	return logindoc.Decode([]byte(doc), version)
}

// scanLogins reads all rows of (version, doc).
func scanLogins(rows *sql.Rows) ([]*machine.Login, error) {
	defer rows.Close()
	var out []*machine.Login
	for rows.Next() {
		l, err := scanLogin(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// limitArg returns limit as SQLite's LIMIT wants it: -1 for none.
func limitArg(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}
