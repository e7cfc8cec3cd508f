package web

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limit is a token bucket: Burst requests at once, then one per Every. A negative Burst
// means no limit.
type Limit struct {
	Burst int
	Every time.Duration
}

// limiter keeps one bucket per key (a login, a client address).
type limiter struct {
	limit   Limit
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds the memory of a limiter: past it, buckets that are full again are
// forgotten (they would allow a whole burst anyway).
const maxBuckets = 10000

func newLimiter(l Limit) *limiter { return &limiter{limit: l, buckets: map[string]*bucket{}} }

// take spends one token of key's bucket, or says how long until one is there.
func (l *limiter) take(key string, now time.Time) (bool, time.Duration) {
	if l.limit.Burst < 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: float64(l.limit.Burst), at: now}
		l.buckets[key] = b
	}
	b.tokens = l.refill(b, now)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(l.limit.Every))
}

func (l *limiter) refill(b *bucket, now time.Time) float64 {
	if l.limit.Every <= 0 {
		return float64(l.limit.Burst)
	}
	return math.Min(float64(l.limit.Burst), b.tokens+float64(now.Sub(b.at))/float64(l.limit.Every))
}

func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if l.refill(b, now) >= float64(l.limit.Burst) {
			delete(l.buckets, k)
		}
	}
}

// allow takes a token for key or answers 429 with Retry-After.
func (h *Handler) allow(w http.ResponseWriter, l *limiter, key string) bool {
	ok, wait := l.take(key, time.Now())
	if !ok {
		retryAfter(w, wait)
		writeError(w, http.StatusTooManyRequests, "M_LIMIT_EXCEEDED", "too many requests; try again later", nil)
	}
	return ok
}

// retryAfter sets Retry-After to wait, in whole seconds rounded up.
func retryAfter(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(wait, time.Second).Seconds()))))
}

// clientAddr is the request's peer address without its port. Behind a reverse proxy it
// is the proxy's: put the limits there, or give each client its own path to us.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
