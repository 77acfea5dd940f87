package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// RescueArgs is the once-a-minute job (and once at start-up) that puts back webhook deliveries
// whose worker died mid-attempt.
type RescueArgs struct{}

// Kind names the job.
func (RescueArgs) Kind() string { return "webhook_rescue" }

// stuckAfter is how long a delivery job may show "running" before it is taken for lost. One
// attempt is bounded by the worker's 30-second Timeout, so a webhook job running after two
// minutes lost its process (SIGKILL, a crash, a power cut). River's own rescue waits its global
// RescueStuckJobsAfter, which has to outlast the longest job of any kind (integration runs):
// 15 minutes, far too long for a sale the receiver is waiting for.
const stuckAfter = 2 * time.Minute

// RescueStuck makes every lost delivery job retryable now, with a note in its error list, as
// River's rescuer would. A lost attempt may have reached the receiver before the process died;
// the retry carries the same X-Backroom-Delivery id, so the receiver can tell.
func (s *Service) RescueStuck(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE river_job
		SET state = 'retryable', scheduled_at = now(),
		    errors = array_append(coalesce(errors, '{}'), jsonb_build_object('at', now(), 'attempt', attempt,
		      'error', 'rescued: the worker stopped during this attempt', 'trace', ''))
		WHERE kind = ? AND state = 'running' AND attempted_at < now() - make_interval(secs => ?)`,
		Args{}.Kind(), stuckAfter.Seconds())
	if res.Error != nil {
		return 0, fmt.Errorf("rescue webhook deliveries: %w", res.Error)
	}
	return res.RowsAffected, nil
}

type rescueWorker struct {
	river.WorkerDefaults[RescueArgs]
	svc *Service
}

func (w *rescueWorker) Work(ctx context.Context, _ *river.Job[RescueArgs]) error {
	n, err := w.svc.RescueStuck(ctx)
	if n > 0 {
		slog.WarnContext(ctx, "webhook deliveries rescued from a stopped worker", "jobs", n)
	}
	return err
}
