package mtproto

import (
	"context"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// OnUpdate implements tgapi.Updater: f gets every update Telegram pushes to a login's
// session, with the login's ID; it replaces any earlier f, and nil stops delivery. It may
// be called at any time, before or after clients run: every client takes updates and hands
// them to the f set when they arrive; updates arriving with no f set are dropped. The only
// update delivered is updateLoginToken, as tgapi.LoginTokenUpdated (the QR token was
// accepted: export it again). f runs on the client's update goroutine, possibly for
// several logins at once: it must be safe for concurrent use and return quickly.
func (c *Connector) OnUpdate(f func(loginID string, u tgapi.Update)) {
	if f == nil {
		c.onUpdate.Store(nil)
		return
	}
	c.onUpdate.Store(&f)
}

// updateHandler hands the updates of loginID's client to the subscriber (OnUpdate).
func (c *Connector) updateHandler(loginID string) telegram.UpdateHandlerFunc {
	return func(ctx context.Context, u tg.UpdatesClass) error {
		if !hasLoginToken(u) {
			return nil
		}
		if f := c.onUpdate.Load(); f != nil {
			(*f)(loginID, tgapi.LoginTokenUpdated)
		} else {
			c.log.Debug("update dropped: no subscriber", "login_id", loginID, "update", tgapi.LoginTokenUpdated)
		}
		return nil
	}
}

// hasLoginToken reports whether u carries an updateLoginToken.
func hasLoginToken(u tg.UpdatesClass) bool {
	var list []tg.UpdateClass
	switch u := u.(type) {
	case *tg.UpdateShort:
		list = []tg.UpdateClass{u.Update}
	case *tg.Updates:
		list = u.Updates
	case *tg.UpdatesCombined:
		list = u.Updates
	}
	for _, up := range list {
		if _, ok := up.(*tg.UpdateLoginToken); ok {
			return true
		}
	}
	return false
}
