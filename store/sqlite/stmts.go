package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmts prepares each query of the Store once and keeps it: parsing a statement costs
// about as much as running one of the store's. database/sql prepares a kept statement
// again on each connection that runs it, once.
type stmts struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// get returns query prepared.
func (c *stmts) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st, nil
}

// close closes the kept statements.
func (c *stmts) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, st := range c.m {
		errs = append(errs, st.Close())
	}
	c.m = nil
	return errors.Join(errs...)
}

// QueryContext runs query, prepared once, outside a transaction.
func (c *stmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs query, prepared once, outside a transaction. A query that does
// not prepare runs unprepared, to return its error from Scan.
func (c *stmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.get(ctx, query)
	if err != nil {
		return c.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// txn is a write transaction whose queries are prepared once per Store. Its embedded
// *sql.Tx runs queries that are not worth keeping (the migrations).
type txn struct {
	*sql.Tx
	c *stmts
}

// ExecContext runs query, prepared once, in the transaction.
func (t txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// QueryContext runs query, prepared once, in the transaction.
func (t txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

// QueryRowContext runs query, prepared once, in the transaction. A query that does not
// prepare runs unprepared, to return its error from Scan.
func (t txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.c.get(ctx, query)
	if err != nil {
		return t.Tx.QueryRowContext(ctx, query, args...)
	}
	return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}
