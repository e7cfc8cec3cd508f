package testdc

// Restart makes the DCs forget every auth key, as a Telegram that lost them: it closes
// every connection and serves on the same addresses with the same RSA key, but a client
// that comes back with a key made before gets transport error -404 (auth key not found)
// until it makes a new one, which is not authorized, and what was bound to the old key
// (a phone_code_hash, a pending 2FA check, an exported QR token) does not carry over.
// Accounts, sent codes and flood waits stay. (Telegram answers an RPC error 401
// AUTH_KEY_UNREGISTERED only to a key it knows that is not logged in.)
func (d *DC) Restart() {
	d.genMu.Lock()
	defer d.genMu.Unlock()
	d.stop(d.gen, false)
	d.st.forgetKeys()
	d.gen = d.serve()
}

// forgetKeys forgets every auth key and what is bound to one.
func (s *state) forgetKeys() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.keys)
}
