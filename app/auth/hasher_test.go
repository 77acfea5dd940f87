package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"backroom/models"
)

// With every slot taken, a credential check waits its queue time and is refused as 429, rather
// than adding another 19 MiB to the heap; once a slot frees, checks run again.
func TestHasherBoundsConcurrentChecks(t *testing.T) {
	h := NewHasher([]byte("key"), 1, 20*time.Millisecond)
	hash, err := h.Hash(context.Background(), "1234")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Verify(context.Background(), hash, "1234"); !errors.Is(err, models.ErrThrottled) {
		t.Fatalf("check with every slot busy: %v, want the 429 'busy' error", err)
	}
	if _, err := h.Hash(context.Background(), "5678"); !errors.Is(err, models.ErrThrottled) {
		t.Fatalf("hash with every slot busy: %v, want the 429 'busy' error", err)
	}
	h.release()
	if ok, err := h.Verify(context.Background(), hash, "1234"); err != nil || !ok {
		t.Fatalf("check after the slot freed: %v %v", ok, err)
	}
}
