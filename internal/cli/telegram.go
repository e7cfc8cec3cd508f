package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gotd/td/proto/codec"
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

	// Set by check: the config of --telegram testdc:FILE, and the world of --world.
	dcConfig *testdc.Config
	dcWorld  testdc.World
}

func (t *telegramFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.telegram, "telegram", "", "`testdc:FILE` talks to a running 'tgauth testdc' whose config FILE holds its addresses and keys")
	fs.IntVar(&t.apiID, "api-id", 0, "Telegram API id (default $TG_API_ID)")
	fs.StringVar(&t.apiHash, "api-hash", "", "Telegram API hash (default $TG_API_HASH)")
	fs.BoolVar(&t.testDC, "test-dc", false, "with API credentials, use Telegram's own test DCs instead of production")
	fs.StringVar(&t.world, "world", "", "world `FILE` (JSON) of accounts for the embedded test DC of 'tgauth login'")
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

// checkAPIID refuses an API id Telegram cannot have (0 stands for none given).
func checkAPIID(id int) error {
	if id < 0 || id > math.MaxInt32 {
		return fmt.Errorf("API id %d is out of range: Telegram's API ids are 1 to %d", id, math.MaxInt32)
	}
	return nil
}

// given reports whether the flags (or TG_API_ID and TG_API_HASH) name a Telegram; with
// none, only 'tgauth login' falls back to an embedded test DC. Call it after check.
func (t *telegramFlags) given() bool { return t.dcConfig != nil || t.apiID != 0 }

// check refuses flags that cannot work, and reads the files they name (a test DC's config,
// a world), so that a bad file is reported before anything is asked or sent. Commands call
// it before they open a store or reach Telegram.
func (t *telegramFlags) check(env Env) error {
	flagCreds := t.apiID != 0 || t.apiHash != ""
	switch {
	case t.telegram != "" && !strings.HasPrefix(t.telegram, "testdc:"):
		return fmt.Errorf("--telegram %q: want testdc:FILE (a config written by 'tgauth testdc --config-out FILE')", t.telegram)
	case t.telegram != "" && (flagCreds || t.testDC):
		return errors.New("give --telegram testdc:FILE or --api-id and --api-hash [--test-dc], not both")
	case t.telegram == "":
		// TG_API_ID and TG_API_HASH count only when no --telegram names a test DC.
		if err := t.credentials(env); err != nil {
			return err
		}
	}
	if err := checkAPIID(t.apiID); err != nil {
		return err
	}
	creds := t.apiID != 0 || t.apiHash != ""
	switch {
	case creds && (t.apiID == 0 || t.apiHash == ""):
		return errors.New("give both --api-id and --api-hash (or TG_API_ID and TG_API_HASH), or neither")
	case t.testDC && !creds:
		return errors.New("--test-dc picks Telegram's own test DCs for API credentials: give --api-id and --api-hash (or TG_API_ID and TG_API_HASH) too")
	case t.world != "" && (creds || t.telegram != ""):
		return errors.New("--world is for the embedded test DC, but --telegram or API credentials (--api-id, TG_API_ID) name another Telegram; a running test DC takes its world as 'tgauth testdc --world FILE'")
	}
	if file, ok := strings.CutPrefix(t.telegram, "testdc:"); ok {
		cfg, err := testdc.ReadConfig(file)
		if err != nil {
			return fmt.Errorf("--telegram %s: %w", t.telegram, err)
		}
		t.dcConfig = &cfg
	}
	if t.world != "" {
		w, err := testdc.LoadWorld(t.world)
		if err != nil {
			return fmt.Errorf("--world %s: %w", t.world, err)
		}
		t.dcWorld = w
	}
	return nil
}

// telegram is the Telegram a command reaches: the connector's options, the ID logins
// record (machine.Options.TelegramID), and what releases it.
type telegram struct {
	opts    mtproto.Options
	id      string
	release func()
}

// connect returns the Telegram the checked flags name; with none, it starts an embedded
// test DC and says so in one line on stderr. The test DC runs until release, whatever
// becomes of ctx.
func (t *telegramFlags) connect(ctx context.Context, stderr io.Writer) (telegram, error) {
	none := func() {}
	switch {
	case t.dcConfig != nil:
		return testDCTelegram(*t.dcConfig, none)
	case t.apiID != 0:
		opts := mtproto.Options{AppID: t.apiID, AppHash: t.apiHash, TestDCs: t.testDC}
		id := telegramProduction
		if t.testDC {
			id = telegramTestDCs
		}
		return telegram{opts: opts, id: id, release: none}, nil
	}
	dc, err := testdc.Start(context.WithoutCancel(ctx), testdc.Options{World: t.dcWorld})
	if err != nil {
		return telegram{}, fmt.Errorf("start the embedded test DC: %w", err)
	}
	fmt.Fprintln(stderr, "tgauth: no Telegram named (--telegram, --api-id or TG_API_ID): using an embedded test DC.\n"+
		"tgauth: its phones are 99966XYYYY, X the DC (1 to 3); the code is X five times: +9996621234, 22222.")
	tg, err := testDCTelegram(dc.Config(), func() { _ = dc.Close() })
	if err != nil {
		_ = dc.Close()
	}
	return tg, err
}

// The test DC takes any API credentials; these name tgauth in its logs.
const (
	testDCAppID   = 1
	testDCAppHash = "tgauth-testdc"
)

// testDCTelegram points the MTProto connector at a test DC, named by its keys. The code
// path is the production one; only the addresses, keys and credentials differ.
func testDCTelegram(cfg testdc.Config, release func()) (telegram, error) {
	keys, err := cfg.PublicKeys()
	if err != nil {
		return telegram{}, err
	}
	id, err := testDCID(cfg)
	if err != nil {
		return telegram{}, err
	}
	opts := mtproto.Options{AppID: testDCAppID, AppHash: testDCAppHash, DCList: cfg.DCList(), PublicKeys: keys, Resolver: cfg.Resolver()}
	return telegram{opts: opts, id: id, release: release}, nil
}

// dialTimeout bounds the check that Telegram takes a connection at all, apart from the
// timeout of any call: a DC that does not answer is reported within it.
const dialTimeout = 5 * time.Second

// unreachableError says that Telegram's DC took no connection; the command exits 3.
type unreachableError struct {
	dc   int
	addr string
	err  error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("Telegram is unreachable: DC %d at %s took no connection within %s (%v)", e.dc, e.addr, dialTimeout, e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }

// reachable dials the DC that logins start on (a TCP connection, then MTProto's transport
// header), so that a Telegram that does not answer
// (a stopped 'tgauth testdc', no network) is reported before anything is asked or sent,
// naming its address, rather than after a call's timeout.
func reachable(ctx context.Context, opts mtproto.Options) error {
	list := opts.DCList
	switch {
	case opts.TestDCs:
		list = dcs.Test()
	case list.Zero():
		list = dcs.Prod()
	}
	dc := cmp.Or(opts.DC, mtproto.DefaultDC)
	found := dcs.FindPrimaryDCs(list.Options, dc, false)
	if len(found) == 0 {
		return fmt.Errorf("no address for DC %d", dc)
	}
	addr := net.JoinHostPort(found[0].IPAddress, strconv.Itoa(found[0].Port))
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return &unreachableError{dc: dc, addr: addr, err: err}
	}
	defer conn.Close()
	// Open the connection as MTProto clients do, with a transport header; a server that
	// reads one may take a connection closed before it as a failure of its own.
	return codec.Intermediate{}.WriteHeader(conn)
}
