package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

// benchPassword is the 2FA password of the report's accounts.
const benchPassword = "report-pw"

// twoFAAccounts is how many 2FA accounts benchWorld holds: +9996620000 and up. Phones
// from +9996625000 up are the test DC's implicit accounts, without a password.
const twoFAAccounts = 400

// benchWorld is the test DC's world for the report: accounts with a 2FA password.
func benchWorld() testdc.World {
	var w testdc.World
	for i := range twoFAAccounts {
		w.Accounts = append(w.Accounts, testdc.Account{Phone: fmt.Sprintf("999662%04d", i), Password: benchPassword})
	}
	return w
}

// loginCost is what one login cost: wall time, this process's CPU, the test DC's CPU.
type loginCost struct{ wall, client, server time.Duration }

// wholeLogin measures whole logins (phone + code, and phone + code + 2FA password) through
// the engine (memory store, tgapi/mtproto) and through gotd's auth.Flow, on one test DC
// running as `tgauth testdc` in a process of its own. Each login is a new client: connect,
// auth key exchange, the calls, close.
func wholeLogin(ctx context.Context, env *env) (*result, error) {
	dc, err := env.testDC(ctx)
	if err != nil {
		return nil, err
	}
	perRound := env.cfg.size(2, 1)
	type contender struct {
		name  string
		twoFA bool
		login func(ctx context.Context, cfg testdc.Config, phone string, twoFA bool) error
		costs []loginCost
	}
	contenders := []*contender{
		{name: "engine, phone + code", login: engineLogin},
		{name: "gotd auth.Flow, phone + code", login: gotdLogin},
		{name: "engine, phone + code + 2FA", twoFA: true, login: engineLogin},
		{name: "gotd auth.Flow, phone + code + 2FA", twoFA: true, login: gotdLogin},
	}
	plain, withPassword := 0, 0
	for range env.cfg.rounds {
		for _, c := range contenders {
			for range perRound {
				var phone string
				if c.twoFA {
					phone = fmt.Sprintf("+999662%04d", withPassword%twoFAAccounts)
					withPassword++
				} else {
					phone = fmt.Sprintf("+999662%04d", 5000+plain%5000)
					plain++
				}
				server0, err := procCPU(dc.cmd.Process.Pid)
				if err != nil {
					return nil, err
				}
				client0, start := selfCPU(), time.Now()
				if err := c.login(ctx, dc.config, phone, c.twoFA); err != nil {
					return nil, fmt.Errorf("%s for %s: %w", c.name, phone, err)
				}
				wall, client := time.Since(start), selfCPU()-client0
				server1, err := procCPU(dc.cmd.Process.Pid)
				if err != nil {
					return nil, err
				}
				c.costs = append(c.costs, loginCost{wall: wall, client: client, server: server1 - server0})
			}
		}
	}
	res := &result{}
	ms := func(costs []loginCost, f func(loginCost) time.Duration) float64 {
		xs := make([]float64, len(costs))
		for i, c := range costs {
			xs[i] = float64(f(c)) / float64(time.Millisecond)
		}
		return median(xs)
	}
	var rows [][]string
	clientCPU := map[string]float64{}
	for _, c := range contenders {
		cpu := ms(c.costs, func(l loginCost) time.Duration { return l.client })
		clientCPU[c.name] = cpu
		rows = append(rows, []string{c.name,
			res.figure(c.name+" wall ms", ms(c.costs, func(l loginCost) time.Duration { return l.wall }), "ms"),
			res.figure(c.name+" client CPU ms", cpu, "ms"),
			num(ms(c.costs, func(l loginCost) time.Duration { return l.server }))})
	}
	res.table([]string{"login", "wall ms", "client CPU ms", "test DC CPU ms"}, rows)
	res.para("Each login is a new client on a new auth key, as a person logging in is: connect, MTProto key "+
		"exchange, auth.sendCode, auth.signIn (and account.getPassword + auth.checkPassword with SRP), close. "+
		"The engine runs on the memory store through tgapi/mtproto; gotd's auth.Flow is `client.Auth().IfNecessary` "+
		"with constant answers. The test DC is `tgauth testdc` in a process of its own; client CPU is this "+
		"process's getrusage (user + system) across the login, the test DC's is from /proc/PID/stat (10 ms "+
		"resolution). %d logins per contender per round, rounds interleaved, %d rounds; medians per login.",
		perRound, env.cfg.rounds)
	eng, bare := clientCPU["engine, phone + code"], clientCPU["gotd auth.Flow, phone + code"]
	note := ""
	if eng > bare {
		note = fmt.Sprintf("%.0f %% more: the engine's persists, snapshots and connector on top of the same key "+
			"exchange, which is nearly all of both; the auth-key pool (next section) makes that exchange before the "+
			"phone is typed, off the person's wait, but does not remove its CPU", 100*(eng/bare-1))
	}
	res.target("Client CPU per login (phone + code), engine vs bare gotd", "≤ gotd's", fmt.Sprintf("%s ms vs %s ms", num(eng), num(bare)),
		eng <= bare, note)
	return res, nil
}

// engineLogin logs phone in through a new engine on a new connector.
func engineLogin(ctx context.Context, cfg testdc.Config, phone string, twoFA bool) error {
	keys, err := cfg.PublicKeys()
	if err != nil {
		return err
	}
	conn := mtproto.NewConnector(mtproto.Options{AppID: 1, AppHash: "report", DCList: cfg.DCList(), PublicKeys: keys,
		Resolver: cfg.Resolver()})
	defer conn.Close()
	e, err := machine.New(machine.Options{Store: memory.New(), Telegram: conn})
	if err != nil {
		return err
	}
	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: phone}})
	if err == nil {
		snap, err = e.Send(ctx, snap.ID, machine.SubmitCode{Code: "22222"})
	}
	if err == nil && twoFA {
		snap, err = e.Send(ctx, snap.ID, machine.SubmitPassword{Password: benchPassword})
	}
	if err != nil {
		return err
	}
	if snap.State != states.Authorized {
		return fmt.Errorf("ended in %s, want Authorized", snap.State)
	}
	return nil
}

// gotdLogin logs phone in with gotd's auth.Flow on a new client.
func gotdLogin(ctx context.Context, cfg testdc.Config, phone string, twoFA bool) error {
	opts, err := cfg.ClientOptions()
	if err != nil {
		return err
	}
	client := telegram.NewClient(1, "report", opts)
	code := auth.CodeAuthenticatorFunc(func(context.Context, *tg.AuthSentCode) (string, error) { return "22222", nil })
	flow := auth.NewFlow(auth.Constant(phone, benchPassword, code), auth.SendCodeOptions{})
	return client.Run(ctx, func(ctx context.Context) error { return client.Auth().IfNecessary(ctx, flow) })
}
