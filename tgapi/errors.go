package tgapi

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Error is an RPC error Telegram returned, e.g. 420 FLOOD_WAIT_30.
type Error struct {
	// Code is the numeric error code (400, 401, 303, 420...).
	Code int `json:"code"`
	// Type is the message without a numeric suffix: FLOOD_WAIT, PHONE_MIGRATE.
	Type string `json:"type"`
	// Argument is the numeric suffix, if any: the seconds of FLOOD_WAIT_30, the DC of
	// PHONE_MIGRATE_2.
	Argument int `json:"argument,omitempty"`
}

// NewError parses a Telegram error message such as "FLOOD_WAIT_30" into an *Error.
func NewError(code int, message string) *Error {
	e := &Error{Code: code, Type: message}
	if i := strings.LastIndexByte(message, '_'); i > 0 {
		if n, err := strconv.Atoi(message[i+1:]); err == nil {
			e.Type, e.Argument = message[:i], n
		}
	}
	return e
}

// Message returns the error as Telegram spelled it: FLOOD_WAIT_30.
func (e *Error) Message() string {
	if e.Argument != 0 {
		return e.Type + "_" + strconv.Itoa(e.Argument)
	}
	return e.Type
}

func (e *Error) Error() string {
	return fmt.Sprintf("telegram: %d %s", e.Code, e.Message())
}

// IsType reports whether err is an *Error of one of the given types.
func IsType(err error, types ...string) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	for _, t := range types {
		if e.Type == t {
			return true
		}
	}
	return false
}

// FloodWait returns how long Telegram asked to wait, for FLOOD_WAIT_X,
// FLOOD_PREMIUM_WAIT_X and FLOOD_TEST_PHONE_WAIT_X; ok is false for any other error.
func FloodWait(err error) (d time.Duration, ok bool) {
	var e *Error
	if !errors.As(err, &e) {
		return 0, false
	}
	switch e.Type {
	case "FLOOD_WAIT", "FLOOD_PREMIUM_WAIT", "FLOOD_TEST_PHONE_WAIT":
		return time.Duration(e.Argument) * time.Second, true
	}
	return 0, false
}

// ErrLocal is matched (errors.Is) by errors of a call that failed for a local reason (a
// config, a key, a session store) rather than for want of Telegram's answer: trying again
// will not help until it is fixed.
var ErrLocal = errors.New("local failure")
