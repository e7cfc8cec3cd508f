package web_test

import (
	"flag"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/drivers/web"
)

var (
	loadLogins = flag.Int("load", 0, "run TestLoad: this many phone logins through the API against testdc")
	loadConc   = flag.Int("load-concurrency", 8, "TestLoad: logins in flight at once")
)

// TestLoad is the bounded load run of docs/performance.md: N phone logins (start with the
// phone, then the code) through the API on loopback against testdc, C at a time. It
// reports p50/p99 of each step's latency and fails on any error. Off unless -load N.
func TestLoad(t *testing.T) {
	if *loadLogins == 0 {
		t.Skip("pass -load N to run the load run")
	}
	s := newServer(t, web.Options{PerLogin: web.Limit{Burst: -1}, PerClient: web.Limit{Burst: -1}})
	var (
		mu           sync.Mutex
		starts, code []time.Duration
		errs         []string
	)
	jobs := make(chan int)
	var wg sync.WaitGroup
	began := time.Now()
	for range *loadConc {
		wg.Go(func() {
			for i := range jobs {
				phone := fmt.Sprintf("+999662%04d", 1000+i)
				t0 := time.Now()
				r, err := s.try("POST", "/api/v1/login/start/phone", map[string]any{"phone": phone})
				t1 := time.Now()
				var r2 reply
				if err == nil && r.status == http.StatusOK && r.step.StepID == loginstep.StepIDCode {
					r2, err = s.try("POST", "/api/v1/login/step/"+r.step.LoginID+"/"+loginstep.StepIDCode+"/user_input",
						map[string]any{"code": "22222", "txn_id": r.step.TxnID})
				}
				t2 := time.Now()
				mu.Lock()
				starts = append(starts, t1.Sub(t0))
				if r2.status == http.StatusOK && r2.step.StepID == loginstep.StepIDComplete {
					code = append(code, t2.Sub(t1))
				} else {
					errs = append(errs, fmt.Sprintf("%s: %v; %d %s %s / %d %s", phone, err, r.status, r.step.StepID, r.err.Error, r2.status, r2.err.Error))
				}
				mu.Unlock()
			}
		})
	}
	for i := range *loadLogins {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	took := time.Since(began)
	t.Logf("%d logins, %d at a time, in %s (%.1f logins/s); errors: %d",
		*loadLogins, *loadConc, took.Round(time.Millisecond), float64(*loadLogins)/took.Seconds(), len(errs))
	t.Logf("start (auth.sendCode):  p50 %s  p99 %s", pct(starts, 50), pct(starts, 99))
	t.Logf("code  (auth.signIn):    p50 %s  p99 %s", pct(code, 50), pct(code, 99))
	if len(errs) > 0 {
		t.Fatalf("%d errors, first: %s", len(errs), errs[0])
	}
}

// pct is the p-th percentile of ds (nearest rank).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p+99)/100 - 1
	return s[max(i, 0)].Round(time.Millisecond)
}
