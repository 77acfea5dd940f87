package config_test

import (
	"strings"
	"testing"
	"time"

	"backroom/app/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDevelopmentDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.Env != "development" || c.AccessTokenTTL != 15*time.Minute || c.RefreshTokenTTL != 720*time.Hour ||
		c.Mode != "hq" || c.PublicURL != "http://127.0.0.1:8080" || c.DatabaseURL == "" || len(c.SecretKey) < 32 {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestStartUpErrorsNameTheSetting(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want []string
	}{
		"production without its settings": {map[string]string{"APP_ENV": "production"},
			[]string{"DATABASE_URL is required", "SECRET_KEY is required", "PUBLIC_URL is required"}},
		"short secret": {map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://x/y", "PUBLIC_URL": "https://b.example", "SECRET_KEY": "short"},
			[]string{"SECRET_KEY must be at least 32 characters"}},
		"bad durations and level": {map[string]string{"ACCESS_TOKEN_TTL": "soon", "LOG_LEVEL": "loud"},
			[]string{"ACCESS_TOKEN_TTL", "LOG_LEVEL must be debug, info, warn or error"}},
		"unknown environment": {map[string]string{"APP_ENV": "staging"}, []string{`APP_ENV must be development or production, not "staging"`}},
		"store-server mode":   {map[string]string{"MODE": "store", "HQ_URL": "https://hq.example", "SYNC_TOKEN": "t"}, []string{"MODE=store", "not available"}},
		"unknown mode":        {map[string]string{"MODE": "edge"}, []string{`MODE must be hq or store, not "edge"`}},
		"bad proxy":           {map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"}, []string{`TRUSTED_PROXIES: "proxy.local" is not an IP address or CIDR`}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := config.Load(env(tc.env))
			if err == nil {
				t.Fatal("Load accepted it")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// No proxy is trusted unless TRUSTED_PROXIES names it: X-Forwarded-For is anyone's to send.
func TestTrustedProxies(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil || len(c.TrustedProxies) != 0 {
		t.Fatalf("default: %v %v", c.TrustedProxies, err)
	}
	c, err = config.Load(env(map[string]string{"TRUSTED_PROXIES": " 10.0.0.0/8 ,192.0.2.7,"}))
	if err != nil || strings.Join(c.TrustedProxies, "|") != "10.0.0.0/8|192.0.2.7" {
		t.Fatalf("list: %v %v", c.TrustedProxies, err)
	}
}
