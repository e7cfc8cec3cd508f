package machine_test

import (
	"context"
	"fmt"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mock"
)

// Embedding the engine: a store, a Telegram connector, then Start and Send. Here Telegram
// is a mock; in a program it is mtproto.NewConnector(...) and the store is SQLite or
// PostgreSQL. A front-end renders snap.Prompt and sends what the user typed.
func Example() {
	telegram := &mock.API{}
	mock.Handle(telegram, func(context.Context, tgapi.SendCode) (tgapi.SendCodeResult, error) {
		return tgapi.SendCodeResult{Code: &tgapi.SentCode{Type: tgapi.CodeApp, Length: 5, PhoneCodeHash: "h"}}, nil
	})
	mock.Handle(telegram, func(context.Context, tgapi.SignIn) (tgapi.Authorization, error) {
		return tgapi.Authorization{}, tgapi.NewError(401, "SESSION_PASSWORD_NEEDED")
	})
	mock.Handle(telegram, func(context.Context, tgapi.GetPassword) (tgapi.PasswordInfo, error) {
		return tgapi.PasswordInfo{HasPassword: true, Hint: "the usual"}, nil
	})
	mock.Handle(telegram, func(context.Context, tgapi.CheckPassword) (tgapi.User, error) {
		return tgapi.User{ID: 1001, FirstName: "Alice"}, nil
	})
	engine, err := machine.New(machine.Options{Store: memory.New(), Telegram: telegram.Connector()})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	snap, _ := engine.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	fmt.Println(snap.State, "-", snap.Prompt.Message)
	snap, _ = engine.Send(ctx, snap.ID, machine.SubmitCode{Code: "22222"})
	fmt.Println(snap.State, "-", snap.Prompt.Message)
	snap, _ = engine.Send(ctx, snap.ID, machine.SubmitPassword{Password: "correct horse"})
	fmt.Println(snap.State, "-", snap.Prompt.Message)
	// Output:
	// CodeSent - Enter the 5-digit code sent in your Telegram app.
	// PasswordNeeded - Enter your 2FA password (hint: the usual).
	// Authorized - Logged in as Alice, id 1001.
}
