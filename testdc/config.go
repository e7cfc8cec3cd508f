package testdc

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"

	"github.com/gotd/td/crypto"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/dcs"
	"github.com/gotd/td/tg"
)

// Config is what a client needs to reach the test DC; JSON-serialisable
// (written by `tgauth testdc --config-out FILE`).
type Config struct {
	// DCs are the addresses of the DCs.
	DCs []Endpoint `json:"dcs"`
	// PublicKeysPEM are the servers' RSA public keys, PEM ("RSA PUBLIC
	// KEY"). (Not named PublicKeys: that is the method parsing them.)
	PublicKeysPEM []string `json:"public_keys"`
}

// Endpoint is the address of one DC.
type Endpoint struct {
	// ID is the DC ID, 1 to 3.
	ID int `json:"id"`
	// Addr is "host:port".
	Addr string `json:"addr"`
}

// ReadConfig reads a Config written by WriteFile and checks it.
func ReadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("testdc: read config: %w", err)
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return Config{}, fmt.Errorf("testdc: config %s: %w", path, err)
	}
	if err := c.validate(); err != nil {
		return Config{}, fmt.Errorf("testdc: config %s: %w", path, err)
	}
	return c, nil
}

func (c Config) validate() error {
	if len(c.DCs) == 0 {
		return fmt.Errorf("no DCs")
	}
	for _, e := range c.DCs {
		if _, _, err := e.hostPort(); err != nil {
			return fmt.Errorf("DC %d: %w", e.ID, err)
		}
	}
	keys, err := c.PublicKeys()
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return fmt.Errorf("no public keys")
	}
	return nil
}

// WriteFile writes the Config as JSON.
func (c Config) WriteFile(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	// Written beside and renamed into place, so that a reader polling for the file never
	// sees it half written.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("testdc: write config: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("testdc: write config: %w", err)
	}
	return nil
}

func (c Config) clone() Config {
	return Config{DCs: slices.Clone(c.DCs), PublicKeysPEM: slices.Clone(c.PublicKeysPEM)}
}

func (e Endpoint) hostPort() (string, int, error) {
	host, port, err := net.SplitHostPort(e.Addr)
	if err != nil {
		return "", 0, err
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p > 65535 {
		return "", 0, fmt.Errorf("bad port in %q", e.Addr)
	}
	return host, p, nil
}

// DCList is the DC list for telegram.Options.DCList; endpoints with a bad
// address are left out (ReadConfig rejects them).
func (c Config) DCList() dcs.List {
	var opts []tg.DCOption
	for _, e := range c.DCs {
		host, port, err := e.hostPort()
		if err != nil {
			continue
		}
		opts = append(opts, tg.DCOption{ID: e.ID, IPAddress: host, Port: port, Static: true})
	}
	return dcs.List{Options: opts}
}

// PublicKeys parses the PEM public keys for telegram.Options.PublicKeys.
func (c Config) PublicKeys() ([]telegram.PublicKey, error) {
	var keys []telegram.PublicKey
	for i, p := range c.PublicKeysPEM {
		parsed, err := crypto.ParseRSAPublicKeys([]byte(p))
		if err != nil || len(parsed) == 0 {
			return nil, fmt.Errorf("public key %d: not a PEM RSA public key", i+1)
		}
		for _, k := range parsed {
			keys = append(keys, telegram.PublicKey{RSA: k})
		}
	}
	return keys, nil
}

// Resolver dials the DCs over plain TCP (the servers detect the transport
// codec).
func (c Config) Resolver() dcs.Resolver {
	return dcs.Plain(dcs.PlainOptions{})
}

// ClientOptions are gotd client options reaching the test DC: DC 2 as the
// default DC, DCList, PublicKeys and Resolver filled; the caller adds the
// rest (session storage, update handler, logger...).
func (c Config) ClientOptions() (telegram.Options, error) {
	keys, err := c.PublicKeys()
	if err != nil {
		return telegram.Options{}, err
	}
	return telegram.Options{
		DC:         2,
		DCList:     c.DCList(),
		PublicKeys: keys,
		Resolver:   c.Resolver(),
	}, nil
}

func encodePublicKey(k *rsa.PublicKey) string {
	block := &pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(k)}
	return string(pem.EncodeToMemory(block))
}
