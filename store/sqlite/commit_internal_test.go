package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
)

// TestBatchWithAnUncleanFailure: a write that fails after writing part of itself is
// rolled back alone (the batch runs again with savepoints); the writes around it commit,
// in one transaction, and a clean failure (ErrExists) stays its writer's own.
func TestBatchWithAnUncleanFailure(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "unclean.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Create(t.Context(), &machine.Login{ID: "taken", State: states.New}); err != nil {
		t.Fatal(err)
	}
	create := func(id string) func(ctx context.Context, tx txn) error {
		return func(ctx context.Context, tx txn) error {
			res, err := tx.ExecContext(ctx, `INSERT INTO logins (id, state, version, doc) VALUES (?, 'New', 1, '{}')
				ON CONFLICT (id) DO NOTHING`, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return machine.ErrExists
			}
			return nil
		}
	}
	boom := errors.New("boom")
	writes := []*pending{
		{fn: create("a")},
		{fn: func(ctx context.Context, tx txn) error {
			if err := create("partial")(ctx, tx); err != nil {
				return err
			}
			return boom // after writing a row
		}},
		{fn: create("taken")},
		{fn: create("b")},
	}
	for _, w := range writes {
		w.ctx, w.done = t.Context(), make(chan error, 1)
	}
	before := s.Stats()
	s.runBatch(writes)
	want := []error{nil, boom, machine.ErrExists, nil}
	for i, w := range writes {
		if err := <-w.done; !errors.Is(err, want[i]) || (want[i] == nil && err != nil) {
			t.Errorf("write %d: %v, want %v", i, err, want[i])
		}
	}
	for id, there := range map[string]bool{"a": true, "b": true, "partial": false} {
		_, err := s.Get(t.Context(), id)
		if got := err == nil; got != there {
			t.Errorf("login %s stored: %v (%v), want %v", id, got, err, there)
		}
	}
	after := s.Stats()
	if writes, commits := after.Writes-before.Writes, after.Commits-before.Commits; writes != 2 || commits != 1 {
		t.Errorf("%d writes in %d commits, want 2 in 1", writes, commits)
	}
}
