package outbound_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"backroom/app/outbound"
)

func TestCheckURLRefusesNonPublicTargets(t *testing.T) {
	strict := outbound.Guard{}
	for _, u := range []string{
		"http://127.0.0.1:5432/", "http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/",
		"http://localhost:8080/", "http://[::1]/", "http://192.168.1.10/", "http://[fd00:ec2::254]/",
		"http://100.64.0.1/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/",
	} {
		if err := strict.CheckURL(context.Background(), u); err == nil {
			t.Errorf("%s was accepted", u)
		}
	}
	for _, u := range []string{"ftp://example.com/", "https://", "not a url", "https://user:pw@93.184.216.34/"} {
		if err := strict.CheckURL(context.Background(), u); err == nil {
			t.Errorf("%q was accepted", u)
		}
	}
	if err := strict.CheckURL(context.Background(), "https://93.184.216.34/hooks"); err != nil {
		t.Errorf("a public address was refused: %v", err)
	}
	if err := (outbound.Guard{AllowPrivate: true}).CheckURL(context.Background(), "http://10.0.0.1/hook"); err != nil {
		t.Errorf("ALLOW_PRIVATE_TARGETS did not allow a private address: %v", err)
	}
	for ip, public := range map[string]bool{"8.8.8.8": true, "2606:4700::1111": true, "172.16.5.4": false, "fe80::1": false, "224.0.0.1": false} {
		if got := outbound.Public(netip.MustParseAddr(ip)); got != public {
			t.Errorf("Public(%s) = %v, want %v", ip, got, public)
		}
	}
}

// The check runs on the address actually dialled, so a name that passed at save and resolves to
// loopback at send is refused then too.
func TestClientRefusesToDialLoopback(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	for _, target := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		_, err := outbound.Guard{}.Client(5 * time.Second).Get(target)
		if err == nil || !errors.Is(err, outbound.ErrBlocked) {
			t.Fatalf("GET %s: %v, want the address refused", target, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("the loopback server was reached %d times", hits.Load())
	}
}

// A redirect is the answer: the request, signature headers and all, never reaches the host it
// points to.
func TestClientFollowsNoRedirect(t *testing.T) {
	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer elsewhere.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/steal", http.StatusFound)
	}))
	defer redirecting.Close()
	req, _ := http.NewRequest("POST", redirecting.URL, strings.NewReader(`{}`))
	req.Header.Set("X-Backroom-Signature", "sha256=abc")
	res, err := outbound.Guard{AllowPrivate: true}.Client(5 * time.Second).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || reached.Load() != 0 {
		t.Fatalf("status %d, redirect target reached %d times; want 302 and never", res.StatusCode, reached.Load())
	}
}

func TestClientCapsTheAnswer(t *testing.T) {
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", outbound.MaxBody+10)))
	}))
	defer big.Close()
	res, err := outbound.Guard{AllowPrivate: true}.Client(5 * time.Second).Get(big.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if !errors.Is(err, outbound.ErrTooLarge) || len(b) > outbound.MaxBody+1 {
		t.Fatalf("read %d bytes, err %v; want at most %d and ErrTooLarge", len(b), err, outbound.MaxBody)
	}
}
