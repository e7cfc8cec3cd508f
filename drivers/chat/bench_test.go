package chat_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tgauth/tgauth/drivers/chat"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi/mock"
)

// BenchmarkFirstMessage is what the first message of a conversation costs a host that
// just started (the Bot lists the store once to find the conversation's login), against
// a message of a conversation it knows, in a store of n logins.
func BenchmarkFirstMessage(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{100, 10000} {
		store := memory.New()
		e, err := machine.New(machine.Options{Store: store, Telegram: (&mock.API{}).Connector()})
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			if _, err := e.Start(ctx, machine.StartOptions{ID: chat.ID("!room", fmt.Sprint("@user", i))}); err != nil {
				b.Fatal(err)
			}
		}
		msg := chat.Message{Room: "!room", User: "@user7", ID: "1", Text: "status", Members: 2}
		b.Run(fmt.Sprintf("first/logins=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := chat.New(e, chat.Options{}).Handle(ctx, msg); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("known/logins=%d", n), func(b *testing.B) {
			bot := chat.New(e, chat.Options{})
			if _, err := bot.Handle(ctx, msg); err != nil { // it lists the store, before the clock runs
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := bot.Handle(ctx, msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
