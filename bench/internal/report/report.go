// Package report holds what the report commands under bench/ share: PostgreSQL schemas
// of their own, the disk's fsync rate, the process's resident memory, medians.
package report

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// DSNEnv names the PostgreSQL database the commands use by default, as the store tests do.
const DSNEnv = "TGAUTH_TEST_POSTGRES"

// Schema creates a new schema on the database dsn names and returns a DSN whose
// search_path puts everything there, and a function that drops the schema.
func Schema(ctx context.Context, dsn, prefix string) (string, func() error, error) {
	schema := prefix + strings.ToLower(rand.Text())
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", nil, fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return fmt.Errorf("connect to drop schema %s: %w", schema, err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			return fmt.Errorf("drop schema %s: %w", schema, err)
		}
		return nil
	}
	out, err := WithParams(dsn, map[string]string{"search_path": schema})
	if err != nil {
		drop()
		return "", nil, err
	}
	return out, drop, nil
}

// WithParams returns dsn (a URL or a key=value string) with params set: connection
// settings pgx knows (pool_max_conns...) or run-time parameters sent to the server
// (search_path, synchronous_commit...).
func WithParams(dsn string, params map[string]string) (string, error) {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse postgres DSN: %w", err)
		}
		q := u.Query()
		for _, k := range keys {
			q.Set(k, params[k])
		}
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	for _, k := range keys {
		dsn += fmt.Sprintf(" %s=%s", k, params[k])
	}
	return dsn, nil
}

// FsyncRate writes 4 KiB at the start of a file in dir and fsyncs it (f.Sync) n times,
// as store/sqlite's BenchmarkFsync does, and returns the rate per second. With
// data true it calls fdatasync instead, as PostgreSQL does by default on Linux
// (wal_sync_method = fdatasync).
func FsyncRate(dir string, n int, data bool) (float64, error) {
	f, err := os.CreateTemp(dir, "fsync-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	page := make([]byte, 4096)
	start := time.Now()
	for range n {
		if _, err := f.WriteAt(page, 0); err != nil {
			return 0, err
		}
		if data {
			err = fdatasync(f)
		} else {
			err = f.Sync()
		}
		if err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// VmRSSKiB returns the process's resident set size in KiB, from /proc/self/status.
func VmRSSKiB() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

// Median returns the median of xs (the mean of the middle two for an even count).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// CopyFile copies the file at src to dst, which it creates (mode 0600) or truncates.
func CopyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := out.ReadFrom(in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
