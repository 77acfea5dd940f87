// Package jobs runs Backroom's background work on River, in the same PostgreSQL: integration
// runs, webhook deliveries, stock pushes and scheduled worksheets.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"gorm.io/gorm"
)

// Opts tune one enqueued job.
type Opts struct {
	Queue       string    // default "default"
	MaxAttempts int       // default 25
	Priority    int       // 1 (highest) to 4; default 1
	ScheduledAt time.Time // zero: now
}

// Enqueue inserts a job inside the caller's GORM transaction, so a job caused by a change exists
// exactly when the change commits (a rolled-back sale never sends a webhook).
//
// River's transactional insert needs a pgx.Tx, while GORM runs on database/sql; the row is
// therefore written with River's own column defaults, and workers find it on their next fetch
// poll (one second).
func Enqueue(ctx context.Context, tx *gorm.DB, args river.JobArgs, o Opts) error {
	payload, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("encode %s job: %w", args.Kind(), err)
	}
	if o.Queue == "" {
		o.Queue = river.QueueDefault
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 25
	}
	if o.Priority <= 0 {
		o.Priority = 1
	}
	state, at := "available", time.Now().UTC()
	if !o.ScheduledAt.IsZero() && o.ScheduledAt.After(at) {
		state, at = "scheduled", o.ScheduledAt.UTC()
	}
	err = tx.WithContext(ctx).Exec(`
		INSERT INTO river_job (args, kind, max_attempts, priority, queue, scheduled_at, state, metadata, tags)
		VALUES (?::jsonb, ?, ?, ?, ?, ?, ?::river_job_state, '{}'::jsonb, '{}')`,
		string(payload), args.Kind(), o.MaxAttempts, o.Priority, o.Queue, at, state).Error
	if err != nil {
		return fmt.Errorf("enqueue %s job: %w", args.Kind(), err)
	}
	return nil
}

// Runner works jobs: inside `serve` by default, or alone with `backroom worker`.
type Runner struct {
	client *river.Client[pgx.Tx]
}

// Registry collects workers and periodic jobs from every area before the runner starts.
type Registry struct {
	Workers  *river.Workers
	Periodic []*river.PeriodicJob
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{Workers: river.NewWorkers()} }

// Every schedules a job built by make every interval (also once at start).
func (r *Registry) Every(interval time.Duration, make func() river.JobArgs) {
	r.Periodic = append(r.Periodic, river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return make(), nil },
		&river.PeriodicJobOpts{RunOnStart: true}))
}

// NewRunner builds a River client over pool with the registry's workers.
func NewRunner(pool *pgxpool.Pool, reg *Registry, workers int, pollEvery time.Duration) (*Runner, error) {
	if workers <= 0 {
		workers = 10
	}
	if pollEvery <= 0 {
		pollEvery = time.Second
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}},
		Workers:           reg.Workers,
		PeriodicJobs:      reg.Periodic,
		FetchPollInterval: pollEvery,
		JobTimeout:        10 * time.Minute,
		// A job still "running" this long after its timeout lost its worker; River rescues it.
		RescueStuckJobsAfter: 15 * time.Minute,
		Logger:               slog.Default(),
	})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Runner{client: client}, nil
}

// Start begins working jobs until ctx ends or Stop is called.
func (r *Runner) Start(ctx context.Context) error { return r.client.Start(ctx) }

// Stop waits for running jobs to finish (up to ctx's deadline).
func (r *Runner) Stop(ctx context.Context) error { return r.client.Stop(ctx) }

// Check reports whether the workers are still running (for /ready).
func (r *Runner) Check(context.Context) error {
	select {
	case <-r.client.Stopped():
		return errors.New("the job workers have stopped")
	default:
		return nil
	}
}

// Client exposes River for inserts outside a GORM transaction.
func (r *Runner) Client() *river.Client[pgx.Tx] { return r.client }
