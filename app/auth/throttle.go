package auth

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"backroom/models"
)

// Throttle counts failed sign-ins per key in PostgreSQL (so every app instance sees the same
// counts) and refuses further attempts once a key reaches its limit within the window.
type Throttle struct {
	db        *gorm.DB
	Window    time.Duration
	UserLimit int // per "user:" key
	AddrLimit int // per "addr:" key
}

// DefaultThrottle allows 5 failures per username and 20 per address in 15 minutes.
func DefaultThrottle(db *gorm.DB) Throttle {
	return Throttle{db: db, Window: 15 * time.Minute, UserLimit: 5, AddrLimit: 20}
}

func (t Throttle) limit(key string) int {
	if len(key) > 5 && key[:5] == "user:" {
		return t.UserLimit
	}
	return t.AddrLimit
}

var errThrottled = &models.Error{Kind: models.ErrThrottled, Message: "too many failed sign-in attempts; wait 15 minutes and try again"}

// Check refuses when any key has reached its limit.
func (t Throttle) Check(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		var n int64
		err := t.db.WithContext(ctx).Table("login_failures").
			Where("key = ? AND failed_at > ?", k, time.Now().Add(-t.Window)).Count(&n).Error
		if err != nil {
			return err
		}
		if n >= int64(t.limit(k)) {
			return errThrottled
		}
	}
	return nil
}

// Fail records a failure for each key and prunes rows older than the window.
func (t Throttle) Fail(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if err := t.db.WithContext(ctx).Exec(`INSERT INTO login_failures (key) VALUES (?)`, k).Error; err != nil {
			return err
		}
		if err := t.db.WithContext(ctx).Exec(`DELETE FROM login_failures WHERE key = ? AND failed_at < ?`, k, time.Now().Add(-t.Window)).Error; err != nil {
			return err
		}
	}
	return nil
}

// Reset forgets a key's failures after a successful sign-in.
func (t Throttle) Reset(ctx context.Context, key string) {
	if err := t.db.WithContext(ctx).Exec(`DELETE FROM login_failures WHERE key = ?`, key).Error; err != nil {
		slog.ErrorContext(ctx, "reset login throttle", "err", err)
	}
}

func gormNow() time.Time { return time.Now().UTC() }
