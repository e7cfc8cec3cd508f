package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tgauth/tgauth/machine"
)

// tokenStrings loads phone's logout tokens as strings or fails the test.
func tokenStrings(t *testing.T, s machine.Store, phone string) []string {
	t.Helper()
	tokens, err := s.LogoutTokens(t.Context(), phone)
	if err != nil {
		t.Fatalf("LogoutTokens(%s): %v", phone, err)
	}
	out := make([]string, len(tokens))
	for i, tok := range tokens {
		out[i] = string(tok)
	}
	return out
}

// addToken adds a token or fails the test.
func addToken(t *testing.T, s machine.Store, phone, token string, max int) {
	t.Helper()
	if err := s.AddLogoutToken(t.Context(), phone, []byte(token), max); err != nil {
		t.Fatalf("AddLogoutToken(%s, %s, %d): %v", phone, token, max, err)
	}
}

func testLogoutTokens(t *testing.T, s machine.Store) {
	if got := tokenStrings(t, s, "+1000"); len(got) != 0 {
		t.Fatalf("LogoutTokens of an unknown phone = %q, want none", got)
	}
	// No login needs to exist: the vault is keyed by phone and outlives logins.
	tok := []byte("t1\x00\xff")
	if err := s.AddLogoutToken(t.Context(), "+1000", tok, machine.MaxLogoutTokens); err != nil {
		t.Fatalf("AddLogoutToken: %v", err)
	}
	tok[0] = 'X' // the store must have copied it
	addToken(t, s, "+1000", "t2", machine.MaxLogoutTokens)
	addToken(t, s, "+2000", "other", machine.MaxLogoutTokens)
	addToken(t, s, "+1000", "t3", machine.MaxLogoutTokens)
	if got, want := tokenStrings(t, s, "+1000"), []string{"t3", "t2", "t1\x00\xff"}; !slices.Equal(got, want) {
		t.Errorf("LogoutTokens(+1000) = %q, want newest first %q", got, want)
	}
	if got, want := tokenStrings(t, s, "+2000"), []string{"other"}; !slices.Equal(got, want) {
		t.Errorf("LogoutTokens(+2000) = %q, want %q", got, want)
	}
}

func testLogoutTokensCap(t *testing.T, s machine.Store) {
	var want []string
	for i := range machine.MaxLogoutTokens + 5 {
		tok := fmt.Sprintf("tok-%02d", i)
		addToken(t, s, "+3000", tok, machine.MaxLogoutTokens)
		want = append([]string{tok}, want...)
		addToken(t, s, "+4000", tok, 3) // a neighbour with a smaller cap
	}
	want = want[:machine.MaxLogoutTokens]
	if got := tokenStrings(t, s, "+3000"); !slices.Equal(got, want) {
		t.Errorf("LogoutTokens after %d adds with max %d = %q, want %q", machine.MaxLogoutTokens+5, machine.MaxLogoutTokens, got, want)
	}
	if got := tokenStrings(t, s, "+4000"); !slices.Equal(got, want[:3]) {
		t.Errorf("LogoutTokens with max 3 = %q, want %q", got, want[:3])
	}
	// A smaller max on a later add trims what was kept before.
	addToken(t, s, "+3000", "last", 2)
	if got, want := tokenStrings(t, s, "+3000"), []string{"last", want[0]}; !slices.Equal(got, want) {
		t.Errorf("LogoutTokens after an add with max 2 = %q, want %q", got, want)
	}
}
