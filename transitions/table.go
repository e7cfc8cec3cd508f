package transitions

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/looplab/fsm"

	s "github.com/tgauth/tgauth/states"
)

// Transition is one row of the table: in state From, event Event leads to state To.
type Transition struct {
	From  s.State
	Event Event
	To    s.State
}

// leaves is a shorthand for the rows of one state.
func leaves(from s.State, pairs ...any) []Transition {
	out := make([]Transition, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, Transition{From: from, Event: pairs[i].(Event), To: pairs[i+1].(s.State)})
	}
	return out
}

// table is the whole chart, grouped by the state that is left, in chart order.
var table = concat(
	leaves(s.New,
		SubmitPhone, s.SendingCode,
		SubmitBotToken, s.CheckingBotToken,
		StartQR, s.ExportingQR,
		Cancel, s.Cancelled,
		TTL, s.Expired),
	leaves(s.SendingCode,
		CodeSentEv, s.CodeSent,
		SignedIn, s.Authorized,
		PasswordNeeded, s.PasswordNeeded,
		EmailNeeded, s.EmailRequired,
		Rejected, s.New,
		FloodWait, s.New,
		Fatal, s.Failed,
		Interrupted, s.New),
	leaves(s.CodeSent,
		SubmitCode, s.CheckingCode,
		ResendCode, s.ResendingCode,
		Cancel, s.CancellingCode,
		TTL, s.Expired),
	leaves(s.ResendingCode,
		CodeSentEv, s.CodeSent,
		CodeExpiredEv, s.CodeExpired,
		Rejected, s.CodeSent,
		FloodWait, s.CodeSent,
		Fatal, s.Failed,
		Interrupted, s.CodeSent),
	leaves(s.CheckingCode,
		SignedIn, s.Authorized,
		SignUpNeeded, s.SignUpRequired,
		PasswordNeeded, s.PasswordNeeded,
		CodeInvalid, s.CodeSent,
		TooManyAttempts, s.Failed,
		CodeExpiredEv, s.CodeExpired,
		FloodWait, s.CodeSent,
		Fatal, s.Failed,
		Interrupted, s.CodeSent),
	leaves(s.CodeExpired,
		ResendCode, s.SendingCode,
		Cancel, s.Cancelled,
		TTL, s.Expired),
	leaves(s.SignUpRequired,
		SubmitSignUp, s.SigningUp,
		Cancel, s.CancellingCode,
		TTL, s.Expired),
	leaves(s.SigningUp,
		SignedIn, s.Authorized,
		Rejected, s.SignUpRequired,
		CodeExpiredEv, s.CodeExpired,
		FloodWait, s.SignUpRequired,
		Fatal, s.Failed,
		Interrupted, s.SignUpRequired),
	leaves(s.PasswordNeeded,
		SubmitPassword, s.CheckingPassword,
		RequestRecovery, s.RequestingRecovery,
		Cancel, s.Cancelled,
		TTL, s.Expired),
	leaves(s.CheckingPassword,
		SignedIn, s.Authorized,
		PasswordInvalid, s.PasswordNeeded,
		TooManyAttempts, s.Failed,
		FloodWait, s.PasswordNeeded,
		Fatal, s.Failed,
		Interrupted, s.PasswordNeeded),
	leaves(s.RequestingRecovery,
		RecoverySent, s.RecoveryCodeSent,
		Rejected, s.PasswordNeeded,
		FloodWait, s.PasswordNeeded,
		Fatal, s.Failed,
		Interrupted, s.PasswordNeeded),
	leaves(s.RecoveryCodeSent,
		SubmitRecoveryCode, s.CheckingRecovery,
		Cancel, s.Cancelled,
		TTL, s.Expired),
	leaves(s.CheckingRecovery,
		SignedIn, s.Authorized,
		CodeInvalid, s.RecoveryCodeSent,
		TooManyAttempts, s.Failed,
		CodeExpiredEv, s.PasswordNeeded,
		FloodWait, s.RecoveryCodeSent,
		Fatal, s.Failed,
		Interrupted, s.RecoveryCodeSent),
	leaves(s.EmailRequired,
		SubmitEmail, s.SendingEmailCode,
		Cancel, s.CancellingCode,
		TTL, s.Expired),
	leaves(s.SendingEmailCode,
		EmailCodeSentEv, s.EmailCodeSent,
		Rejected, s.EmailRequired,
		FloodWait, s.EmailRequired,
		Fatal, s.Failed,
		Interrupted, s.EmailRequired),
	leaves(s.EmailCodeSent,
		SubmitEmailCode, s.CheckingEmailCode,
		Cancel, s.CancellingCode,
		TTL, s.Expired),
	leaves(s.CheckingEmailCode,
		CodeSentEv, s.CodeSent,
		SignedIn, s.Authorized,
		CodeInvalid, s.EmailCodeSent,
		TooManyAttempts, s.Failed,
		FloodWait, s.EmailCodeSent,
		Fatal, s.Failed,
		Interrupted, s.EmailCodeSent),
	leaves(s.ExportingQR,
		QRToken, s.QRWaiting,
		QRMigrate, s.ImportingQR,
		SignedIn, s.Authorized,
		PasswordNeeded, s.PasswordNeeded,
		FloodWait, s.QRWaiting,
		Fatal, s.Failed,
		Interrupted, s.QRWaiting),
	leaves(s.QRWaiting,
		QRPoll, s.ExportingQR,
		QRExpired, s.ExportingQR,
		LoginTokenUpdate, s.ExportingQR,
		Cancel, s.Cancelled,
		TTL, s.Expired),
	leaves(s.ImportingQR,
		SignedIn, s.Authorized,
		PasswordNeeded, s.PasswordNeeded,
		Rejected, s.QRWaiting,
		FloodWait, s.QRWaiting,
		Fatal, s.Failed,
		Interrupted, s.QRWaiting),
	leaves(s.CheckingBotToken,
		SignedIn, s.Authorized,
		Rejected, s.New,
		FloodWait, s.New,
		Fatal, s.Failed,
		Interrupted, s.New),
	leaves(s.CancellingCode,
		Done, s.Cancelled,
		Interrupted, s.Cancelled),
	leaves(s.Authorized,
		LogOut, s.LoggingOut),
	leaves(s.LoggingOut,
		Done, s.LoggedOut,
		FloodWait, s.Authorized,
		Fatal, s.Failed,
		Interrupted, s.Authorized),
	accountTable,
)

func concat(groups ...[]Transition) []Transition {
	var out []Transition
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Table returns a copy of every transition, in chart order.
func Table() []Transition { return append([]Transition(nil), table...) }

// index maps (from, event) to the destination.
type key struct {
	from  s.State
	event Event
}

var index = func() map[key]s.State {
	m := make(map[key]s.State, len(table))
	for _, t := range table {
		m[key{t.From, t.Event}] = t.To
	}
	return m
}()

// descs is the table as looplab/fsm event descriptions, built once.
var descs = func() []fsm.EventDesc {
	type group struct {
		event Event
		to    s.State
	}
	srcs := map[group][]string{}
	var order []group
	for _, t := range table {
		g := group{t.Event, t.To}
		if _, seen := srcs[g]; !seen {
			order = append(order, g)
		}
		srcs[g] = append(srcs[g], string(t.From))
	}
	out := make([]fsm.EventDesc, 0, len(order))
	for _, g := range order {
		out = append(out, fsm.EventDesc{Name: string(g.event), Src: srcs[g], Dst: string(g.to)})
	}
	return out
}()

// FSMEvents returns the table as looplab/fsm event descriptions (a fresh copy).
func FSMEvents() []fsm.EventDesc {
	out := make([]fsm.EventDesc, len(descs))
	for i, d := range descs {
		out[i] = fsm.EventDesc{Name: d.Name, Src: append([]string(nil), d.Src...), Dst: d.Dst}
	}
	return out
}

// machines reuses FSMs between steps: NewFSM is the costly part of a step.
var machines = sync.Pool{New: func() any { return fsm.NewFSM(string(s.New), descs, nil) }}

// NotAllowedError says that an event is not accepted in a state.
type NotAllowedError struct {
	State s.State
	Event Event
}

func (e *NotAllowedError) Error() string {
	return fmt.Sprintf("%s not allowed in state %s", e.Event, e.State)
}

// Next runs event e through the table from state from, on looplab/fsm, and returns the
// state it leads to, or a *NotAllowedError. It never blocks and takes no context: the
// machine is fired with one that cannot be cancelled (looplab/fsm issue #115).
func Next(from s.State, e Event) (s.State, error) {
	f := machines.Get().(*fsm.FSM)
	defer machines.Put(f)
	f.SetState(string(from))
	if err := f.Event(context.Background(), string(e)); err != nil {
		var invalid fsm.InvalidEventError
		var unknown fsm.UnknownEventError
		if errors.As(err, &invalid) || errors.As(err, &unknown) {
			return from, &NotAllowedError{State: from, Event: e}
		}
		return from, fmt.Errorf("transition %s --%s-->: %w", from, e, err)
	}
	return s.State(f.Current()), nil
}

// Lookup returns the destination of (from, e) straight from the table, without looplab/fsm;
// ok is false when the table has no such row.
func Lookup(from s.State, e Event) (to s.State, ok bool) {
	to, ok = index[key{from, e}]
	return to, ok
}

// Accepts lists the events of the given kind that state from accepts, sorted by name.
func Accepts(from s.State, kind EventKind) []Event {
	var out []Event
	for _, t := range table {
		if t.From == from && eventsByName[t.Event].Kind == kind {
			out = append(out, t.Event)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
