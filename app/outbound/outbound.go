// Package outbound is the one way Backroom calls outside systems (webhook receivers, Codemax,
// miPOS, Tipsi). Its client refuses to connect to loopback, private, link-local, metadata and
// other non-public addresses, checked on the address actually dialled after DNS resolution (so a
// name that resolves somewhere public at save and to 127.0.0.1 at send still fails); follows no
// redirect (the 3xx is the answer, and signature headers go nowhere else); and caps the answer's
// size and the whole call's time. ALLOW_PRIVATE_TARGETS lifts the address rule for on-premise
// installs whose receivers live on the local network.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// MaxBody is the most of an answer a caller may read (1 MiB); reading past it is an error.
const MaxBody = 1 << 20

// Guard is the policy every outbound call follows.
type Guard struct {
	AllowPrivate bool // ALLOW_PRIVATE_TARGETS: on-premise receivers on the local network
}

// ErrBlocked is a target outside the public internet.
var ErrBlocked = errors.New("is not a public internet address")

// blocked are the ranges no outside system lives in: this host, private networks, link-local
// (with the cloud metadata service at 169.254.169.254), carrier-grade NAT, documentation,
// benchmarking, multicast and reserved space, in IPv4 and IPv6.
// table: never written
var blocked = prefixes(
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
	"203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	"::/128", "::1/128", "64:ff9b::/96", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// Public reports whether ip is on the public internet.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return ip.IsValid()
}

// allowed checks one dialled or resolved address.
func (g Guard) allowed(ip netip.Addr) error {
	if g.AllowPrivate || Public(ip) {
		return nil
	}
	return fmt.Errorf("%s %w", ip.Unmap(), ErrBlocked)
}

// Client returns an HTTP client for calls to outside systems, each call limited to timeout.
func (g Guard) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("outbound: unexpected address %q", address)
			}
			return g.allowed(ap.Addr())
		},
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would dial on our behalf, past the address check
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: capped{transport},
		// The redirect is the answer: following it would send the request, signature and all,
		// to a host nobody entered.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// capped limits every answer's body to MaxBody.
type capped struct{ next http.RoundTripper }

func (c capped) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	res.Body = &limitedBody{r: io.LimitReader(res.Body, MaxBody+1), c: res.Body}
	return res, nil
}

type limitedBody struct {
	r    io.Reader
	c    io.Closer
	read int64
}

// ErrTooLarge is an answer longer than MaxBody.
var ErrTooLarge = fmt.Errorf("the answer is larger than %d bytes", MaxBody)

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += int64(n)
	if b.read > MaxBody {
		return n, ErrTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.c.Close() }

// CheckURL is the check at save: an http(s) URL whose host is, or resolves only to, public
// addresses. The same rule runs again at every connection, so passing here is not enough to be
// called later.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return errors.New("must be an http(s) URL such as https://example.com")
	}
	if u.User != nil {
		return errors.New("must not carry a user name or password; use the integration's secret fields")
	}
	if g.AllowPrivate {
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := g.allowed(ip); err != nil {
			return fmt.Errorf("points at %w; outside systems must be reachable on the internet", err)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("names a host that could not be found (%s)", strings.TrimSuffix(host, "."))
	}
	for _, ip := range addrs {
		if err := g.allowed(ip); err != nil {
			return fmt.Errorf("names %s, which resolves to %w; outside systems must be reachable on the internet", host, err)
		}
	}
	return nil
}
