package pricing

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// targetZones returns the time zones of a worksheet's target stores (every active store for a
// chain-wide worksheet).
func targetZones(ctx context.Context, tx *gorm.DB, id uuid.UUID) ([]*time.Location, error) {
	var stores []models.Store
	err := tx.WithContext(ctx).Raw(`
		SELECT st.* FROM stores st
		WHERE EXISTS (SELECT 1 FROM worksheet_stores x WHERE x.worksheet_id = ? AND x.store_id = st.id)
		   OR (st.is_active AND NOT EXISTS (SELECT 1 FROM worksheet_stores x WHERE x.worksheet_id = ?))`, id, id).Scan(&stores).Error
	if err != nil {
		return nil, err
	}
	out := make([]*time.Location, 0, len(stores))
	for _, st := range stores {
		out = append(out, st.Location())
	}
	return out, nil
}

// isDue reports whether a worksheet's effective date has begun at every one of its stores: the
// change waits for the last store's midnight, so no store sees it while its own day before the
// effective date is still running (one worksheet applies once, everywhere at the same time).
func isDue(ctx context.Context, tx *gorm.DB, id uuid.UUID, now time.Time) (bool, error) {
	var w models.Worksheet
	if err := tx.WithContext(ctx).Select("id", "effective_date").Take(&w, "id = ?", id).Error; err != nil {
		return false, err
	}
	if w.EffectiveDate == nil {
		return true, nil
	}
	zones, err := targetZones(ctx, tx, id)
	if err != nil {
		return false, err
	}
	for _, loc := range zones {
		if now.Before(w.EffectiveDate.StartIn(loc)) {
			return false, nil
		}
	}
	return true, nil
}

// ApplyDue applies every approved worksheet whose effective date has reached local midnight at
// all its target stores, as of now. Each worksheet is applied in its own transaction with the
// same checked transition as a manual apply, so running it twice (or on two instances at once)
// applies each worksheet once. It returns how many it applied; a worksheet that fails (a bad
// line) stays approved, is logged and is retried on the next run.
func ApplyDue(ctx context.Context, db *gorm.DB, now time.Time) (int, error) {
	var candidates []uuid.UUID
	// Cheap pre-filter: the earliest zone on Earth is UTC+14, so nothing is due whose date is
	// after tomorrow in UTC.
	horizon := models.DateOf(now.Add(14*time.Hour), time.UTC)
	if err := db.WithContext(ctx).Model(&models.Worksheet{}).
		Where("status = ? AND effective_date IS NOT NULL AND effective_date <= ?", models.WSApproved, horizon).
		Order("effective_date, id").Pluck("id", &candidates).Error; err != nil {
		return 0, err
	}
	s := New(db)
	applied := 0
	var errs []error
	for _, id := range candidates {
		due, err := isDue(ctx, db, id, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !due {
			continue
		}
		_, err = s.apply(ctx, models.System, id, now, false)
		switch {
		case err == nil:
			applied++
		case errors.Is(err, models.ErrConflict):
			// Applied (or moved on) elsewhere meanwhile: nothing to do.
		default:
			slog.ErrorContext(ctx, "scheduled worksheet apply failed", "worksheet", id, "err", err)
			errs = append(errs, err)
		}
	}
	return applied, errors.Join(errs...)
}

// StartScheduler runs ApplyDue every interval until ctx ends, in a goroutine. The app runs
// ApplyDue as a River periodic job (RegisterJobs); this is for a process without the job runner
// (a tool or a test). Running both is harmless: each worksheet applies once.
func StartScheduler(ctx context.Context, db *gorm.DB, interval time.Duration) {
	if interval <= 0 {
		interval = time.Minute
	}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if n, err := ApplyDue(ctx, db, time.Now()); err != nil {
				slog.ErrorContext(ctx, "apply due worksheets", "err", err, "applied", n)
			} else if n > 0 {
				slog.InfoContext(ctx, "applied due worksheets", "applied", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}
