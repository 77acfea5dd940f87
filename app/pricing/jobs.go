package pricing

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"backroom/app/jobs"
)

// ApplyDueArgs is the periodic job that applies worksheets whose effective date has begun.
type ApplyDueArgs struct{}

// Kind names the job.
func (ApplyDueArgs) Kind() string { return "pricing_apply_due_worksheets" }

type applyDueWorker struct {
	river.WorkerDefaults[ApplyDueArgs]
	db *gorm.DB
}

func (w *applyDueWorker) Work(ctx context.Context, _ *river.Job[ApplyDueArgs]) error {
	_, err := ApplyDue(ctx, w.db, time.Now())
	return err
}

// RegisterJobs schedules ApplyDue once a minute on the job runner (serve or worker), so
// effective-dated worksheets apply within a minute of their stores' midnight.
func RegisterJobs(reg *jobs.Registry, db *gorm.DB) {
	river.AddWorker(reg.Workers, &applyDueWorker{db: db})
	reg.Every(time.Minute, func() river.JobArgs { return ApplyDueArgs{} })
}
