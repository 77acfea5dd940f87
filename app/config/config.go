// Package config reads Backroom's settings from the environment once, at start-up.
package config

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Config is every setting the binary reads. Nothing reads the environment after Load.
type Config struct {
	DatabaseURL     string
	Addr            string
	SecretKey       string
	Env             string // development | production
	PublicURL       string
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	LogLevel        slog.Level
	// TrustedProxies are the reverse proxies (IPs or CIDRs) whose X-Forwarded-For gives the
	// client address; empty trusts none.
	TrustedProxies []string
	// AllowPrivateTargets lets webhooks and connectors call loopback and private-network
	// addresses (on-premise receivers); off, only public internet addresses are called.
	AllowPrivateTargets bool

	// Mode is hq; the store-server mode of DESIGN.md (MODE=store with HQ_URL and SYNC_TOKEN)
	// is refused until HQ-store sync exists.
	Mode string
}

// The two modes of DESIGN.md: head office, and a store server syncing with it (not built yet).
const (
	ModeHQ    = "hq"
	ModeStore = "store"
)

// Setting documents one environment variable for `serve --help` and the README.
type Setting struct {
	Name, Default, Help string
}

// Settings lists every variable with its development default.
var Settings = []Setting{
	{"DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backroom?sslmode=disable", "PostgreSQL connection URL (required in production)"},
	{"ADDR", "127.0.0.1:8080", "address the HTTP server listens on"},
	{"SECRET_KEY", "(a fixed development key)", "at least 32 characters; signs tokens, keys CSRF, PIN lookups and encrypted secrets (required in production)"},
	{"APP_ENV", "development", "development or production (production: Secure cookies, required settings enforced)"},
	{"PUBLIC_URL", "http://127.0.0.1:8080", "the address people and webhooks reach Backroom at (required in production)"},
	{"ACCESS_TOKEN_TTL", "15m", "lifetime of API access tokens"},
	{"REFRESH_TOKEN_TTL", "720h", "lifetime of API refresh tokens"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"TRUSTED_PROXIES", "(none)", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For names the client (sign-in throttling counts that address)"},
	{"ALLOW_PRIVATE_TARGETS", "false", "true lets webhooks and integrations call loopback and private-network addresses (on-premise receivers); off, only public internet addresses are called"},
	{"MODE", "hq", "hq (store-server mode, syncing with HQ, is not available yet)"},
}

const devSecret = "backroom-development-secret-key-do-not-use-in-production"

// Load reads the settings through getenv, applying development defaults and failing clearly when
// production lacks a required setting or a value does not parse.
func Load(getenv func(string) string) (Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		DatabaseURL: getenv("DATABASE_URL"),
		Addr:        get("ADDR", "127.0.0.1:8080"),
		SecretKey:   getenv("SECRET_KEY"),
		Env:         get("APP_ENV", "development"),
		PublicURL:   getenv("PUBLIC_URL"),
		Mode:        get("MODE", ModeHQ),
	}
	var problems []string
	if c.Env != "development" && c.Env != "production" {
		problems = append(problems, fmt.Sprintf("APP_ENV must be development or production, not %q", c.Env))
	}
	if c.Mode != ModeHQ && c.Mode != ModeStore {
		problems = append(problems, fmt.Sprintf("MODE must be hq or store, not %q", c.Mode))
	}
	var err error
	if c.AccessTokenTTL, err = duration(get("ACCESS_TOKEN_TTL", "15m")); err != nil {
		problems = append(problems, "ACCESS_TOKEN_TTL: "+err.Error())
	}
	if c.RefreshTokenTTL, err = duration(get("REFRESH_TOKEN_TTL", "720h")); err != nil {
		problems = append(problems, "REFRESH_TOKEN_TTL: "+err.Error())
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		problems = append(problems, "LOG_LEVEL must be debug, info, warn or error")
	}
	for _, p := range strings.Split(getenv("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				problems = append(problems, fmt.Sprintf("TRUSTED_PROXIES: %q is not an IP address or CIDR", p))
				continue
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	switch v := strings.ToLower(get("ALLOW_PRIVATE_TARGETS", "false")); v {
	case "true", "1", "yes":
		c.AllowPrivateTargets = true
	case "false", "0", "no":
	default:
		problems = append(problems, fmt.Sprintf("ALLOW_PRIVATE_TARGETS must be true or false, not %q", v))
	}
	if c.Production() {
		for name, v := range map[string]string{"DATABASE_URL": c.DatabaseURL, "SECRET_KEY": c.SecretKey, "PUBLIC_URL": c.PublicURL} {
			if v == "" {
				problems = append(problems, name+" is required when APP_ENV=production")
			}
		}
		if c.SecretKey != "" && len(c.SecretKey) < 32 {
			problems = append(problems, "SECRET_KEY must be at least 32 characters")
		}
	}
	if c.Mode == ModeStore {
		// DESIGN.md plans store servers that sync with HQ; that side is not built, so a store
		// server refuses to start rather than run as a second HQ against the store's database.
		problems = append(problems, "MODE=store (a store server syncing with HQ) is not available in this version; leave MODE unset or hq")
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = Settings[0].Default
	}
	if c.SecretKey == "" {
		c.SecretKey = devSecret
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, "PUBLIC_URL must be an absolute http(s) URL")
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if len(problems) > 0 {
		return Config{}, errors.New("configuration: " + strings.Join(problems, "; "))
	}
	return c, nil
}

func duration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 15m or 24h", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive")
	}
	return d, nil
}

// Production reports whether APP_ENV=production.
func (c Config) Production() bool { return c.Env == "production" }

// Key derives a 32-byte key for one purpose ("jwt", "csrf", "pin", "secrets", …) from SECRET_KEY,
// so one leaked derived key exposes nothing else.
func (c Config) Key(purpose string) []byte {
	k, err := hkdf.Key(sha256.New, []byte(c.SecretKey), nil, "backroom/"+purpose, 32)
	if err != nil {
		panic(err) // only for lengths over 255×32 bytes
	}
	return k
}
