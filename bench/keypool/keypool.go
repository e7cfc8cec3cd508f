// Package keypool measures what the auth-key pool of tgapi/mtproto buys a login: the time
// from submit_phone to CodeSent with a cold pool (the login makes its auth key after the
// phone was submitted, as every MTProto client without a pool does) and with a warm one
// (a key made ahead of time). Both run through the engine (memory store) and the real
// MTProto connector against one test DC, best run in a process of its own
// ('tgauth testdc', see StartTestDC) so that its side of each key exchange is not
// counted against the client. The report command and the package's benchmark call it.
package keypool

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/tgauth/tgauth/bench/internal/stats"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

// Figures are the medians of the rounds Measure ran.
type Figures struct {
	// Cold and Warm are the times from submit_phone to CodeSent without and with a key
	// of the pool.
	Cold, Warm time.Duration
	// Rounds is how many logins of each kind were timed.
	Rounds int
}

// Ratio is Warm over Cold (the target is at most 0.2).
func (f Figures) Ratio() float64 { return float64(f.Warm) / float64(f.Cold) }

// String is the figures in one line.
func (f Figures) String() string {
	return fmt.Sprintf("submit_phone to CodeSent: cold %s, warm %s (%.2fx), medians of %d", f.Cold.Round(time.Millisecond),
		f.Warm.Round(time.Millisecond), f.Ratio(), f.Rounds)
}

// Options returns the connector options that reach the test DC of cfg.
func Options(cfg testdc.Config) (mtproto.Options, error) {
	keys, err := cfg.PublicKeys()
	if err != nil {
		return mtproto.Options{}, err
	}
	return mtproto.Options{AppID: 1, AppHash: "tgauth-bench", DCList: cfg.DCList(), PublicKeys: keys, Resolver: cfg.Resolver()}, nil
}

// Measure times rounds cold and rounds warm logins of phones 99966 2 0000 and up (DC 2)
// on the test DC of cfg, interleaved (cold, warm, cold...), and returns the medians. A
// warm round's key is made before its timing starts.
func Measure(ctx context.Context, cfg testdc.Config, rounds int) (Figures, error) {
	opts, err := Options(cfg)
	if err != nil {
		return Figures{}, err
	}
	var cold, warm []float64
	for i := range rounds {
		d, err := codeSent(ctx, opts, fmt.Sprintf("+999662%04d", 2*i), false)
		if err != nil {
			return Figures{}, fmt.Errorf("cold round %d: %w", i+1, err)
		}
		cold = append(cold, float64(d))
		if d, err = codeSent(ctx, opts, fmt.Sprintf("+999662%04d", 2*i+1), true); err != nil {
			return Figures{}, fmt.Errorf("warm round %d: %w", i+1, err)
		}
		warm = append(warm, float64(d))
	}
	return Figures{Cold: time.Duration(stats.Median(cold)), Warm: time.Duration(stats.Median(warm)), Rounds: rounds}, nil
}

// codeSent times one login of phone from submit_phone to CodeSent, with a new connector
// and engine: with warm, a key is made in the connector's pool first, untimed.
func codeSent(ctx context.Context, opts mtproto.Options, phone string, warm bool) (time.Duration, error) {
	if warm {
		opts.Keys = memory.New()
	}
	conn := mtproto.NewConnector(opts)
	defer conn.Close()
	if warm {
		if err := conn.MakeKeys(ctx, mtproto.DefaultDC, 1); err != nil {
			return 0, err
		}
	}
	eng, err := machine.New(machine.Options{Store: memory.New(), Telegram: conn})
	if err != nil {
		return 0, err
	}
	start := time.Now()
	snap, err := eng.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: phone}})
	took := time.Since(start)
	if err != nil {
		return 0, err
	}
	if snap.State != states.CodeSent {
		return 0, fmt.Errorf("login of %s is %s, want CodeSent", phone, snap.State)
	}
	return took, nil
}

// StartTestDC starts cmd, a 'tgauth testdc --config-out FILE' (or a command printing the
// same line when its config is written), waits until it says the config is written, and
// reads it. stop interrupts the process and waits for it.
func StartTestDC(ctx context.Context, cmd *exec.Cmd, configFile string) (cfg testdc.Config, stop func() error, err error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return testdc.Config{}, nil, err
	}
	if err := cmd.Start(); err != nil {
		return testdc.Config{}, nil, fmt.Errorf("start the test DC: %w", err)
	}
	stop = func() error {
		_ = cmd.Process.Signal(os.Interrupt)
		err := cmd.Wait()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil // ended by the signal
		}
		return err
	}
	written := make(chan error, 1)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			if strings.Contains(s.Text(), "config written to") {
				written <- nil
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		written <- fmt.Errorf("the test DC ended before it wrote its config: %v", s.Err())
	}()
	select {
	case err = <-written:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err == nil {
		cfg, err = testdc.ReadConfig(configFile)
	}
	if err != nil {
		_ = stop()
		return testdc.Config{}, nil, err
	}
	return cfg, stop, nil
}
