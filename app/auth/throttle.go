package auth

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"time"

	"gorm.io/gorm"

	"backroom/models"
)

// A Key is one thing attempts are counted against: a username, an address, a user changing a
// PIN. Max attempts may fail within the throttle's window; after that a hard key refuses until
// failures age out, and a backoff key lets one more try through after a wait that doubles with
// each failure (1 s, 2 s, 4 s … up to the window), so guessing slows to a crawl while the right
// credential still gets in once the wait is over.
type Key struct {
	Name    string
	Max     int
	Backoff bool
	// Reset forgets the key's failures when the attempt succeeds (a correct sign-in clears the
	// username's count; a successful PIN change does not clear the PIN-change count).
	Reset bool
}

// Throttle counts attempts per key in PostgreSQL (so every app instance sees the same counts).
// An attempt is recorded before the credential is checked, under a per-key lock, so parallel
// attempts cannot all pass a check that none of them has yet counted against.
type Throttle struct {
	db     *gorm.DB
	Window time.Duration
}

// NewThrottle counts failures within window.
func NewThrottle(db *gorm.DB, window time.Duration) *Throttle {
	return &Throttle{db: db, Window: window}
}

// Sign-in and PIN-change limits.
const (
	userLimit      = 5  // wrong credentials per username before backoff starts
	addrLimit      = 20 // wrong credentials per address within the window
	pinChangeLimit = 5  // refused PIN changes (wrong current secret, PIN taken) per user
)

func userKey(username string) Key {
	return Key{Name: "user:" + username, Max: userLimit, Backoff: true, Reset: true}
}
func addrKey(addr string) Key { return Key{Name: "addr:" + addr, Max: addrLimit} }

// PINChangeKeys are what every path that sets a PIN counts against: the person setting it and,
// when known, their address. A refused PIN (taken by someone else) counts, so nobody can search
// the PIN space for other people's PINs.
func PINChangeKeys(actorID fmt.Stringer, addr string) []Key {
	keys := []Key{{Name: "pinset:user:" + actorID.String(), Max: pinChangeLimit}}
	if addr != "" {
		keys = append(keys, Key{Name: "pinset:addr:" + addr, Max: addrLimit})
	}
	return keys
}

// Attempt is a reserved try: it already counts as a failure. Succeeded takes it back.
type Attempt struct {
	t    *Throttle
	keys []Key
	skip []string // keys not checked: a success does not reset them
	ids  []int64
}

// Throttled is the refusal, with how long to wait.
func throttled(wait time.Duration) error {
	mins := int(math.Ceil(wait.Minutes()))
	msg := fmt.Sprintf("too many failed attempts; wait %d minutes and try again", mins)
	if wait < time.Minute {
		msg = fmt.Sprintf("too many failed attempts; wait %d seconds and try again", int(math.Ceil(wait.Seconds())))
	}
	return &models.Error{Kind: models.ErrThrottled, Message: msg}
}

// Reserve records an attempt against every key, refusing (and recording nothing) when a key is
// over its limit. skip names keys not to check (a username's backoff on a device it has signed
// in from before); they are still counted.
func (t *Throttle) Reserve(ctx context.Context, keys []Key, skip ...string) (*Attempt, error) {
	sorted := append([]Key(nil), keys...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name }) // one lock order for everyone
	a := &Attempt{t: t, keys: sorted, skip: skip}
	err := t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, k := range sorted {
			if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, k.Name).Error; err != nil {
				return fmt.Errorf("lock throttle key: %w", err)
			}
			if slices.Contains(skip, k.Name) {
				continue
			}
			var row struct {
				N     int64
				Since float64 // seconds since the latest failure
			}
			err := tx.Raw(`SELECT count(*) AS n, coalesce(extract(epoch FROM now() - max(failed_at)), 0) AS since
				FROM login_failures WHERE key = ? AND failed_at > now() - make_interval(secs => ?)`, k.Name, t.Window.Seconds()).Scan(&row).Error
			if err != nil {
				return fmt.Errorf("count attempts: %w", err)
			}
			if wait := t.wait(k, row.N, time.Duration(row.Since*float64(time.Second))); wait > 0 {
				return throttled(wait)
			}
		}
		for _, k := range sorted {
			var id int64
			if err := tx.Raw(`INSERT INTO login_failures (key) VALUES (?) RETURNING id`, k.Name).Scan(&id).Error; err != nil {
				return fmt.Errorf("record attempt: %w", err)
			}
			a.ids = append(a.ids, id)
			if err := tx.Exec(`DELETE FROM login_failures WHERE key = ? AND failed_at < now() - make_interval(secs => ?)`, k.Name, t.Window.Seconds()).Error; err != nil {
				return fmt.Errorf("prune attempts: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// wait is how long key k must wait after n failures, the latest since ago.
func (t *Throttle) wait(k Key, n int64, since time.Duration) time.Duration {
	if n < int64(k.Max) {
		return 0
	}
	if !k.Backoff {
		return t.Window - since // the oldest failure ages out no sooner than the newest
	}
	backoff := t.Window
	if shift := n - int64(k.Max); shift < 20 {
		backoff = min(t.Window, time.Second<<shift)
	}
	if since >= backoff {
		return 0
	}
	return backoff - since
}

// Succeeded takes the attempt back and forgets the failures of checked keys marked Reset.
func (a *Attempt) Succeeded(ctx context.Context) {
	err := a.t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM login_failures WHERE id IN ?`, a.ids).Error; err != nil {
			return err
		}
		for _, k := range a.keys {
			// A known device's success leaves the username's count alone: the stranger whose
			// guesses it holds does not get a fresh five each time its owner signs in.
			if k.Reset && !slices.Contains(a.skip, k.Name) {
				if err := tx.Exec(`DELETE FROM login_failures WHERE key = ?`, k.Name).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		slog.ErrorContext(ctx, "clear sign-in attempt", "err", err)
	}
}

func gormNow() time.Time { return time.Now().UTC() }
