package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gotd/td/telegram/dcs"

	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

// telegramFlags are the flags every command that talks to Telegram takes.
type telegramFlags struct {
	telegram string
	apiID    int
	apiHash  string
	testDC   bool
	world    string
}

func (t *telegramFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.telegram, "telegram", "", "`testdc:FILE` talks to a running 'tgauth testdc' whose config FILE holds its addresses and keys")
	fs.IntVar(&t.apiID, "api-id", 0, "Telegram API id (default $TG_API_ID); with none, an embedded test DC is used")
	fs.StringVar(&t.apiHash, "api-hash", "", "Telegram API hash (default $TG_API_HASH)")
	fs.BoolVar(&t.testDC, "test-dc", false, "with API credentials, use Telegram's own test DCs instead of production")
	fs.StringVar(&t.world, "world", "", "world `FILE` (JSON) of accounts for the embedded test DC")
}

// credentials fills the API id and hash from TG_API_ID and TG_API_HASH where no flag gave them.
func (t *telegramFlags) credentials(env Env) error {
	if t.apiID == 0 {
		if v := env.Getenv("TG_API_ID"); v != "" {
			id, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("TG_API_ID=%q is not a number", v)
			}
			t.apiID = id
		}
	}
	if t.apiHash == "" {
		t.apiHash = env.Getenv("TG_API_HASH")
	}
	return nil
}

// check refuses a --telegram that is not testdc:FILE and a half-given credential pair.
// Commands call it before they start anything: Telegram itself is reached only on the
// first call, which may come after the user typed a phone number, or never.
func (t *telegramFlags) check(env Env) error {
	if err := t.credentials(env); err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(t.telegram, "testdc:"):
	case t.telegram != "":
		return fmt.Errorf("--telegram %q: want testdc:FILE (a config written by 'tgauth testdc --config-out FILE')", t.telegram)
	case (t.apiID != 0 || t.apiHash != "") && (t.apiID == 0 || t.apiHash == ""):
		return errors.New("give both --api-id and --api-hash (or TG_API_ID and TG_API_HASH), or neither for the embedded test DC")
	}
	return nil
}

// connect returns the mtproto options for the chosen Telegram, and a func that releases
// what it started (an embedded test DC). It says in one line on stderr when it starts an
// embedded test DC.
func (t *telegramFlags) connect(ctx context.Context, env Env, stderr io.Writer) (mtproto.Options, func(), error) {
	none := func() {}
	if err := t.check(env); err != nil {
		return mtproto.Options{}, none, err
	}
	switch {
	case strings.HasPrefix(t.telegram, "testdc:"):
		cfg, err := testdc.ReadConfig(strings.TrimPrefix(t.telegram, "testdc:"))
		if err != nil {
			return mtproto.Options{}, none, err
		}
		opts, err := testDCOptions(cfg)
		return opts, none, err
	case t.apiID != 0 || t.apiHash != "":
		opts := mtproto.Options{AppID: t.apiID, AppHash: t.apiHash}
		if t.testDC {
			opts.DCList = dcs.Test()
		}
		return opts, none, nil
	}
	var world testdc.World
	if t.world != "" {
		w, err := testdc.LoadWorld(t.world)
		if err != nil {
			return mtproto.Options{}, none, err
		}
		world = w
	}
	dc, err := testdc.Start(ctx, testdc.Options{World: world})
	if err != nil {
		return mtproto.Options{}, none, fmt.Errorf("start the embedded test DC: %w", err)
	}
	fmt.Fprintln(stderr, "tgauth: no Telegram API credentials (TG_API_ID, TG_API_HASH): using an embedded test DC on 127.0.0.1 (phones 99966XYYYY, code X five times)")
	opts, err := testDCOptions(dc.Config())
	return opts, func() { _ = dc.Close() }, err
}

// The test DC takes any API credentials; these name tgauth in its logs.
const (
	testDCAppID   = 1
	testDCAppHash = "tgauth-testdc"
)

// testDCOptions points the MTProto adapter at a test DC. The code path is the production
// one; only the addresses, keys and credentials differ.
func testDCOptions(cfg testdc.Config) (mtproto.Options, error) {
	keys, err := cfg.PublicKeys()
	if err != nil {
		return mtproto.Options{}, err
	}
	return mtproto.Options{AppID: testDCAppID, AppHash: testDCAppHash, DCList: cfg.DCList(), PublicKeys: keys, Resolver: cfg.Resolver()}, nil
}
