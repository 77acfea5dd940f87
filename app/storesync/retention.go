package storesync

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"backroom/app/jobs"
)

// TombstoneRetention is how long deletes are kept for stores to pull. A store out of touch for
// longer is told to load again (410 mustResync), since it may have missed some.
const TombstoneRetention = 30 * 24 * time.Hour

// PurgeTombstones deletes tombstones older than TombstoneRetention and moves the retention
// floor to the newest version purged, in one statement, so a cursor below the floor is refused.
func (s *Service) PurgeTombstones(ctx context.Context, now time.Time) (int64, error) {
	var purged int64
	err := s.db.WithContext(ctx).Raw(`WITH gone AS (
			DELETE FROM sync_tombstones WHERE deleted_at < ? RETURNING sync_version
		), floor AS (
			UPDATE sync_retention SET purged_through = GREATEST(purged_through, (SELECT max(sync_version) FROM gone))
			WHERE EXISTS (SELECT 1 FROM gone) RETURNING 1
		)
		SELECT count(*) FROM gone`, now.Add(-TombstoneRetention)).Scan(&purged).Error
	return purged, err
}

// PurgeArgs is the daily job that purges old tombstones.
type PurgeArgs struct{}

// Kind names the job.
func (PurgeArgs) Kind() string { return "storesync_purge_tombstones" }

type purgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	s *Service
}

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	_, err := w.s.PurgeTombstones(ctx, time.Now())
	return err
}

// RegisterJobs schedules the tombstone purge every six hours on the job runner.
func (s *Service) RegisterJobs(reg *jobs.Registry) {
	river.AddWorker(reg.Workers, &purgeWorker{s: s})
	reg.Every(6*time.Hour, func() river.JobArgs { return PurgeArgs{} })
}
