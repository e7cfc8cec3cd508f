package chat

import (
	"context"

	"github.com/tgauth/tgauth/machine"
)

// changesByItself reports whether a login showing a prompt of kind k moves without a
// message: a QR code is refreshed or scanned, a call in flight is answered.
func changesByItself(k machine.PromptKind) bool { return k == machine.ShowQR || k == machine.Wait }

// follow starts a follower of the conversation's login, shown by the replies as snap, if
// Options.Notify is set and the login changes by itself from here. The caller holds c.mu.
// The follower hands Notify a reply for every later version that shows something new
// (not a bare "waiting for Telegram"), and ends once the login needs a message again or
// ended, or the conversation moved to another login, or the Bot is closed.
func (b *Bot) follow(c *conversation, snap machine.Snapshot, private bool) {
	if b.opts.Notify == nil || c.following == snap.ID || !changesByItself(snap.Prompt.Kind) {
		return
	}
	c.following = snap.ID
	b.count(+1)
	go func() {
		defer b.count(-1)
		ctx, cancel := context.WithCancel(b.ctx)
		defer cancel()
		link := func(id string) string { return b.link(ctx, id) }
		for s := range b.engine.Watch(ctx, snap.ID) {
			r, notify, more := b.next(c, s, private, link)
			if notify {
				b.opts.Notify(Update{Room: c.key.room, User: c.key.user, Reply: r})
			}
			if !more {
				return
			}
		}
		c.mu.Lock()
		if c.following == snap.ID {
			c.following = "" // the Bot was closed, or the login cannot be read
		}
		c.mu.Unlock()
	}()
}

// next is what a follower does with a snapshot s of its login: the reply to hand to
// Notify (notify false: none, the replies showed it already or it is a bare wait), and
// whether to go on following.
func (b *Bot) next(c *conversation, s machine.Snapshot, private bool, link func(string) string) (r Reply, notify, more bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.following != s.ID || c.id != s.ID {
		if c.following == s.ID {
			c.following = ""
		}
		return Reply{}, false, false // the conversation moved on to another login
	}
	more = changesByItself(s.Prompt.Kind)
	if !more {
		c.following = ""
	}
	if s.ID == c.seenID && s.Version <= c.seen || s.Prompt.Kind == machine.Wait {
		return Reply{}, false, more
	}
	shown := s.Prompt.Kind == machine.ShowQR && qrURL(s) == c.qr // the same token exported again
	if !shown {
		r = b.render(c, s, private, link) // before seen moves: render tells a new version by it
	}
	c.seen, c.seenID, c.qr = s.Version, s.ID, qrURL(s)
	return r, !shown, more
}

// count changes the number of followers and wakes Wait.
func (b *Bot) count(delta int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.following += delta
	close(b.changed)
	b.changed = make(chan struct{})
}
