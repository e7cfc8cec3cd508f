package cli

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tgauth/tgauth/drivers/web"
	"github.com/tgauth/tgauth/machine"
)

func init() {
	register("serve", command{
		summary: "Serve the HTTP API (bridgev2-shaped, under /api/v1), the login page behind capability links,\n" +
			"/healthz, /readyz and /metrics, and fire the timers of the store's logins, until interrupted.\n" +
			"The API takes Authorization: Bearer $TGAUTH_API_TOKEN (or --api-token-file); without a token\n" +
			"it listens on loopback only. Links are signed with a key derived from TGAUTH_KEY (replicas\n" +
			"share it), else with a key of this process: its links die with it.",
		usage: "serve [--listen ADDR] [--store SPEC] [--api-token-file FILE] [--base-url URL] [--key-pool N] [--key-pool-max-age D] " + telegramUsage,
		run:   runServe,
	})
	register("link", command{
		summary: "Print the capability link of a login, minted by a running 'tgauth serve': the URL that opens\n" +
			"the login page for that login only. Give it to the person logging in.",
		usage: "link [--server URL] [--api-token-file FILE] ID",
		run:   runLink,
	})
}

// defaultListen is where serve listens, and where link asks, when no flag says otherwise.
const defaultListen = "127.0.0.1:8080"

// envAPIToken names the variable holding the API's bearer token.
const envAPIToken = "TGAUTH_API_TOKEN"

// apiToken reads the bearer token from file, else from TGAUTH_API_TOKEN.
func apiToken(env Env, file string) (string, error) {
	if file == "" {
		return env.Getenv(envAPIToken), nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--api-token-file: %w", err)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", fmt.Errorf("--api-token-file %s is empty", file)
	}
	return token, nil
}

type serveFlags struct {
	engineFlags
	keyPool                    keyPoolFlags
	listen, tokenFile, baseURL string
}

func runServe(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "serve")
	var f serveFlags
	f.engineFlags.register(fs)
	f.keyPool.register(fs)
	fs.StringVar(&f.listen, "listen", defaultListen, "the `ADDR`ess to listen on (host:port; port 0 picks one)")
	fs.StringVar(&f.tokenFile, "api-token-file", "", "read the API's bearer token from `FILE` (default $"+envAPIToken+")")
	fs.StringVar(&f.baseURL, "base-url", "", "the `URL` clients reach this server at, for links and the Origin check (default: the request's host)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return usageErr(fs, err)
	}
	if err := f.keyPool.check(); err != nil {
		return err
	}
	token, err := apiToken(env, f.tokenFile)
	if err != nil {
		return err
	}
	if token == "" && !loopback(f.listen) {
		return fmt.Errorf("--listen %s is not a loopback address: set %s or --api-token-file, so that the API is not open to all", f.listen, envAPIToken)
	}
	linkKey, err := serveLinkKey(env)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, nil))
	m := newMetrics()
	r, err := f.start(ctx, env, engineUse{store: starting, scheduler: true, keyPool: &f.keyPool, instrument: func(o *machine.Options) {
		o.Telegram = m.connector(o.Telegram)
		o.Observer = observers{o.Observer, m}
		o.Logger = log
	}})
	if errors.Is(err, errNoTelegram) {
		return fmt.Errorf("serve reaches one Telegram: %w", err)
	}
	if err != nil {
		return err
	}
	defer r.close()
	m.countLogins(r.engine)

	h := web.New(web.Options{Engine: r.engine, Token: token, LinkKey: linkKey, BaseURL: f.baseURL, Logger: log})
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, req *http.Request) {
		if _, err := r.engine.List(req.Context(), machine.ListOptions{Limit: 1}); err != nil {
			http.Error(w, "store: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", bearer(token, promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})))

	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(h.Close) // ends event streams and long polls
	fmt.Fprintf(env.Stdout, "serving http://%s (Ctrl-C stops)\n", ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// Requests in flight finish: their Telegram calls are answered and persisted.
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := srv.Shutdown(stop); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	fmt.Fprintln(env.Stdout, "stopped")
	return nil
}

// loopback reports whether addr (host:port) listens on loopback only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveLinkKey derives the key of capability links from TGAUTH_KEY, so that replicas
// honour each other's links; without it, links are signed with a key of this process.
func serveLinkKey(env Env) ([]byte, error) {
	key, err := envKey(env)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return randomKey(), nil
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("tgauth web capability links"))
	return m.Sum(nil), nil
}

func randomKey() []byte {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	return key
}

// bearer requires the token on h, when there is one.
func bearer(token string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" && !hmac.Equal([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// observers fans the engine's steps out to several observers; nil ones are skipped.
type observers []machine.Observer

func (obs observers) Input(login, event string, args map[string]string) {
	for _, o := range obs {
		if o != nil {
			o.Input(login, event, args)
		}
	}
}

func (obs observers) Timer(login, event string) {
	for _, o := range obs {
		if o != nil {
			o.Timer(login, event)
		}
	}
}

func (obs observers) Reached(login, state string) {
	for _, o := range obs {
		if o != nil {
			o.Reached(login, state)
		}
	}
}

func runLink(ctx context.Context, env Env, args []string) error {
	fs := flags(env, "link")
	var sf serverFlags
	sf.register(fs)
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return usageErr(fs, err)
	}
	link, err := sf.link(ctx, env, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, link)
	return nil
}

// serverFlags name a running 'tgauth serve' and its API token, for the commands that ask
// it for a capability link ('tgauth link', 'tgauth login --web').
type serverFlags struct{ server, tokenFile string }

func (sf *serverFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&sf.server, "server", "", "the `URL` of the running 'tgauth serve' (default $TGAUTH_SERVER, else http://"+defaultListen+")")
	fs.StringVar(&sf.tokenFile, "api-token-file", "", "read the API's bearer token from `FILE` (default $"+envAPIToken+")")
}

// link asks the serve the flags name for login id's capability link.
func (sf *serverFlags) link(ctx context.Context, env Env, id string) (string, error) {
	base := sf.server
	if base == "" {
		base = env.Getenv("TGAUTH_SERVER")
	}
	if base == "" {
		base = "http://" + defaultListen
	}
	token, err := apiToken(env, sf.tokenFile)
	if err != nil {
		return "", err
	}
	return mintLink(ctx, strings.TrimSuffix(base, "/"), token, id)
}

// mintLink asks the serve at base for login id's capability link.
func mintLink(ctx context.Context, base, token, id string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/login/"+url.PathEscape(id)+"/link", nil)
	if err != nil {
		return "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("is 'tgauth serve' running at %s? %w", base, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		var e web.ErrorResponse
		_ = json.NewDecoder(res.Body).Decode(&e)
		return "", fmt.Errorf("%s: %s (%s)", res.Status, e.Error, e.ErrCode)
	}
	var link web.LinkResponse
	if err := json.NewDecoder(res.Body).Decode(&link); err != nil {
		return "", fmt.Errorf("read the answer of %s: %w", base, err)
	}
	return link.URL, nil
}
