package auth

import (
	"context"
	"sync"
	"time"

	"backroom/models"
)

// Hasher computes and checks the slow credential hashes. Each argon2id run holds about 19 MiB
// for tens of milliseconds, so an unbounded burst of sign-ins could take the server's memory:
// at most `slots` run at once, and a request that waits longer than `wait` for a slot gets 429.
type Hasher struct {
	slots  chan struct{}
	wait   time.Duration
	pinKey []byte
	// dummy is checked against when there is nothing to check (unknown username, no PIN set),
	// so response time does not tell whether an account exists. Made on first need.
	dummy     string
	dummyOnce sync.Once
}

// NewHasher allows slots concurrent hash computations (at least one). pinKey keys the PIN
// lookup hash.
func NewHasher(pinKey []byte, slots int, wait time.Duration) *Hasher {
	return &Hasher{slots: make(chan struct{}, max(1, slots)), wait: wait, pinKey: pinKey}
}

var errBusy = &models.Error{Kind: models.ErrThrottled, Message: "the server is busy checking sign-ins; try again in a moment"}

func (h *Hasher) acquire(ctx context.Context) error {
	timer := time.NewTimer(h.wait)
	defer timer.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-timer.C:
		return errBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the argon2id hash of a PIN or password.
func (h *Hasher) Hash(ctx context.Context, secret string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return HashSecret(secret)
}

// Verify reports whether secret matches hash. An empty hash never matches, but costs the same.
func (h *Hasher) Verify(ctx context.Context, hash, secret string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	if hash == "" {
		h.dummyOnce.Do(func() { h.dummy, _ = HashSecret("backroom: no such credential") })
		VerifySecret(h.dummy, secret)
		return false, nil
	}
	return VerifySecret(hash, secret), nil
}

// PINLookup returns the keyed lookup hash of a PIN.
func (h *Hasher) PINLookup(pin string) string { return PINLookup(h.pinKey, pin) }
