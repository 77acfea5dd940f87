// Package integrations connects the chain to outside systems: settings validated per kind,
// secrets sealed at rest, runs with progress and per-item errors. Each kind is a Connector in
// its own sub-package.
package integrations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/app/jobs"
	"backroom/app/outbound"
	"backroom/models"
)

// Service manages integrations and their runs. It knows nothing of HTTP.
type Service struct {
	db         *gorm.DB
	sealer     *Sealer
	publicURL  string
	guard      outbound.Guard       // the address rule URLs are checked against at save
	connectors map[string]Connector // by kind, given by Offer
}

// New builds the service; key seals secrets, guard is the outbound address rule.
func New(db *gorm.DB, key []byte, publicURL string, guard outbound.Guard) (*Service, error) {
	s, err := NewSealer(key)
	if err != nil {
		return nil, err
	}
	return &Service{db: db, sealer: s, publicURL: publicURL, guard: guard, connectors: map[string]Connector{}}, nil
}

// Input creates or updates an integration. Settings values may be strings, numbers or
// booleans; secrets are write-only (an empty or missing secret keeps the stored one).
type Input struct {
	Kind     string            `json:"kind" validate:"required,max=20"`
	Name     string            `json:"name" validate:"required,max=120"`
	Enabled  *bool             `json:"enabled"`
	StoreID  *uuid.UUID        `json:"storeId"`
	Settings map[string]any    `json:"settings"`
	Secrets  map[string]string `json:"secrets"`
}

// View is an integration as the API and pages show it: secrets only as "set".
type View struct {
	models.Integration
	Settings   map[string]string `json:"settings"`
	Secrets    map[string]string `json:"secrets"`
	OpenErrors int64             `json:"openErrors"` // its unresolved integration errors (one part of Health.FailingItems)
	StoreCode  string            `json:"storeCode,omitempty"`
	Label      string            `json:"kindLabel"`
	// Health is whether it is failing, with the count of failing items and the last error.
	Health Health `json:"health"`
}

func stringify(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch t := v.(type) {
		case nil:
		case string:
			out[k] = t
		case float64:
			out[k] = strconv.FormatFloat(t, 'f', -1, 64)
		case bool:
			out[k] = strconv.FormatBool(t)
		case []any:
			parts := make([]string, 0, len(t))
			for _, p := range t {
				parts = append(parts, fmt.Sprint(p))
			}
			out[k] = strings.Join(parts, ",")
		default:
			out[k] = fmt.Sprint(t)
		}
	}
	return out
}

// NeedsStore is implemented by connectors whose integration belongs to one store.
type NeedsStore interface{ NeedsStore() bool }

// Save creates (id Nil) or updates an integration.
func (s *Service) Save(ctx context.Context, actor models.Actor, id uuid.UUID, in Input) (*View, error) {
	if err := models.Validate(in); err != nil {
		return nil, err
	}
	c, ok := s.Connector(in.Kind)
	if !ok {
		return nil, models.FieldError("kind", "must be one of: "+strings.Join(s.kinds(), ", "))
	}
	var out *View
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row models.Integration
		var before *View
		stored := map[string]string{}
		if id != uuid.Nil {
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "id = ?", id).Error; err != nil {
				return models.NotFoundIf(err, "integration")
			}
			if row.Kind != in.Kind {
				return models.FieldError("kind", "cannot be changed; create a new integration instead")
			}
			b, err := s.view(ctx, tx, row)
			if err != nil {
				return err
			}
			before = b
			if stored, err = s.sealer.Open(row.SecretsSealed, row.ID[:]); err != nil {
				return err
			}
		} else {
			row.ID = models.NewID()
		}
		settings, verr := normalise(c, stringify(in.Settings), in.Secrets, func(name string) bool { return stored[name] != "" },
			func(u string) error { return s.guard.CheckURL(ctx, u) })
		if before != nil {
			secretsFollowAddress(c, before.Settings, settings, stored, in.Secrets, verr)
		}
		if ns, ok := c.(NeedsStore); ok && ns.NeedsStore() && in.StoreID == nil {
			verr.Add("storeId", "is required: choose the store this integration works for")
		}
		if in.StoreID != nil {
			var n int64
			if err := tx.Model(&models.Store{}).Where("id = ?", *in.StoreID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				verr.Add("storeId", "is not a known store")
			}
		}
		if err := verr.Err(); err != nil {
			return err
		}
		for _, f := range c.Fields() {
			if v := strings.TrimSpace(in.Secrets[f.Name]); f.Secret && v != "" {
				stored[f.Name] = v
			}
		}
		sealed, err := s.sealer.Seal(stored, row.ID[:])
		if err != nil {
			return err
		}
		names := make([]string, 0, len(stored))
		for k := range stored {
			names = append(names, k)
		}
		settingsJSON, _ := json.Marshal(settings)
		row.Kind, row.Name, row.StoreID = in.Kind, strings.TrimSpace(in.Name), in.StoreID
		if in.Enabled != nil {
			row.Enabled = *in.Enabled
		}
		row.Settings, row.SecretsSealed, row.SecretNames = models.JSON(settingsJSON), sealed, names
		row.ScheduleMinutes, _ = strconv.Atoi(settings["scheduleMinutes"])
		if row.Enabled && row.ScheduleMinutes > 0 && row.NextRunAt == nil {
			now := time.Now().UTC()
			row.NextRunAt = &now
		}
		if !row.Enabled || row.ScheduleMinutes == 0 {
			row.NextRunAt = nil
		}
		if id == uuid.Nil {
			err = tx.Create(&row).Error
		} else {
			err = tx.Save(&row).Error
		}
		if models.IsUniqueViolation(err, "integrations_name_key") {
			return models.Invalid().Add("name", "is already used by another integration").Err()
		}
		if err != nil {
			return fmt.Errorf("save integration: %w", err)
		}
		if out, err = s.view(ctx, tx, row); err != nil {
			return err
		}
		action := "create"
		if id != uuid.Nil {
			action = "update"
		}
		return models.Audit(ctx, tx, actor, action, "integration", row.ID, before, out)
	})
	if err == nil {
		s.saved(ctx, out.ID)
	}
	return out, err
}

// secretsFollowAddress refuses a change of an address (a url setting) that keeps stored secrets:
// a secret is only ever sent to the address it was entered for, so moving the address means
// entering the secret again.
func secretsFollowAddress(c Connector, before, after, stored, given map[string]string, verr *models.Error) {
	moved := ""
	for _, f := range c.Fields() {
		if f.Type == "url" && before[f.Name] != after[f.Name] {
			moved = f.Label
		}
	}
	if moved == "" {
		return
	}
	for _, f := range c.Fields() {
		if f.Secret && stored[f.Name] != "" && strings.TrimSpace(given[f.Name]) == "" {
			verr.Add("secrets."+f.Name, fmt.Sprintf("enter it again: the %s changed, and a stored secret is only sent to the address it was entered for", moved))
		}
	}
}

func (s *Service) kinds() []string {
	var out []string
	for _, c := range s.Connectors() {
		out = append(out, c.Kind())
	}
	return out
}

func (s *Service) view(ctx context.Context, db *gorm.DB, row models.Integration) (*View, error) {
	hs, err := s.health(ctx, db, []models.Integration{row})
	if err != nil {
		return nil, err
	}
	return s.viewWith(ctx, db, row, hs[row.ID])
}

// viewWith is view with the row's health already worked out (List does all rows at once).
func (s *Service) viewWith(ctx context.Context, db *gorm.DB, row models.Integration, h *health) (*View, error) {
	v := &View{Integration: row, Settings: map[string]string{}, Secrets: map[string]string{}, Health: h.Health, OpenErrors: h.openErrors}
	if len(row.Settings) > 0 {
		if err := json.Unmarshal(row.Settings, &v.Settings); err != nil {
			return nil, err
		}
	}
	for _, n := range row.SecretNames {
		v.Secrets[n] = "set"
	}
	if c, ok := s.Connector(row.Kind); ok {
		v.Label = c.Label()
	}
	if row.StoreID != nil {
		var st models.Store
		if err := db.WithContext(ctx).Take(&st, "id = ?", *row.StoreID).Error; err == nil {
			v.StoreCode = st.Code
		}
	}
	return v, nil
}

// List returns every integration.
func (s *Service) List(ctx context.Context) ([]View, error) {
	var rows []models.Integration
	if err := s.db.WithContext(ctx).Order("lower(name)").Find(&rows).Error; err != nil {
		return nil, err
	}
	hs, err := s.health(ctx, s.db, rows)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(rows))
	for _, r := range rows {
		v, err := s.viewWith(ctx, s.db, r, hs[r.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// Get returns one integration.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (*View, error) {
	var row models.Integration
	if err := s.db.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return nil, models.NotFoundIf(err, "integration")
	}
	return s.view(ctx, s.db, row)
}

// Delete removes an integration, its runs and errors. A running run is refused (409).
func (s *Service) Delete(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row models.Integration
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "integration")
		}
		var running int64
		if err := tx.Model(&models.IntegrationRun{}).Where("integration_id = ? AND status = 'running'", id).Count(&running).Error; err != nil {
			return err
		}
		if running > 0 {
			return models.Conflict("a run is in progress; wait for it to finish before deleting")
		}
		if err := tx.Delete(&models.Integration{}, "id = ?", id).Error; err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "delete", "integration", id, map[string]string{"name": row.Name, "kind": row.Kind}, nil)
	})
}

// Instance loads an integration with its opened secrets for a connector.
func (s *Service) Instance(ctx context.Context, db *gorm.DB, id uuid.UUID) (*Instance, Connector, error) {
	var row models.Integration
	if err := db.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return nil, nil, models.NotFoundIf(err, "integration")
	}
	c, ok := s.Connector(row.Kind)
	if !ok {
		return nil, nil, fmt.Errorf("integration %s has unknown kind %q", id, row.Kind)
	}
	in := &Instance{Integration: row, Settings: map[string]string{}, PublicURL: s.publicURL}
	if len(row.Settings) > 0 {
		if err := json.Unmarshal(row.Settings, &in.Settings); err != nil {
			return nil, nil, err
		}
	}
	for _, f := range c.Fields() {
		if _, ok := in.Settings[f.Name]; !ok && !f.Secret && f.Default != "" {
			in.Settings[f.Name] = f.Default
		}
	}
	secrets, err := s.sealer.Open(row.SecretsSealed, row.ID[:])
	if err != nil {
		return nil, nil, err
	}
	in.Secrets = secrets
	if row.StoreID != nil {
		var st models.Store
		if err := db.WithContext(ctx).Take(&st, "id = ?", *row.StoreID).Error; err != nil {
			return nil, nil, err
		}
		in.Store = &st
	}
	return in, c, nil
}

// Test checks an integration's credentials and reachability.
func (s *Service) Test(ctx context.Context, id uuid.UUID) error {
	in, c, err := s.Instance(ctx, s.db, id)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := c.Test(ctx, in); err != nil {
		return &models.Error{Kind: models.ErrValidation, Message: "Connection test failed: " + err.Error()}
	}
	return nil
}

// RunArgs is the River job that performs one run.
type RunArgs struct {
	RunID uuid.UUID `json:"runId"`
}

// Kind names the job.
func (RunArgs) Kind() string { return "integration_run" }

// StartRun queues a run (202 for the API). Only one run per integration is queued or running
// at a time: a second manual request is a conflict.
func (s *Service) StartRun(ctx context.Context, actor models.Actor, id uuid.UUID, trigger string) (*models.IntegrationRun, error) {
	var run *models.IntegrationRun
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Lock the integration before queueing, as the scheduler (QueueDue) does: the run's
		// foreign key share-locks this row, so a request that queued its run first and then
		// waited for the scheduler's lock, while the scheduler waited on that run's unique
		// index entry, deadlocked and answered 500.
		var row models.Integration
		if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Take(&row, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "integration")
		}
		if !row.Enabled && trigger != models.TriggerManual {
			return models.Conflict("integration %q is disabled", row.Name)
		}
		var err error
		run, err = s.queueRun(ctx, tx, row.ID, trigger)
		if err != nil {
			return err
		}
		if run == nil {
			return models.Conflict("a run of %q is already queued or running", row.Name)
		}
		return models.Audit(ctx, tx, actor, "run", "integration", row.ID, nil, map[string]string{"trigger": trigger, "runId": run.ID.String()})
	})
	return run, err
}

// queueRun inserts a queued run and its job in tx; nil when one is already active.
func (s *Service) queueRun(ctx context.Context, tx *gorm.DB, integrationID uuid.UUID, trigger string) (*models.IntegrationRun, error) {
	run := models.IntegrationRun{ID: models.NewID(), IntegrationID: integrationID, Trigger: trigger, Status: models.RunQueued}
	res := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&run)
	if res.Error != nil {
		return nil, fmt.Errorf("queue run: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	if err := jobs.Enqueue(ctx, tx, RunArgs{RunID: run.ID}, jobs.Opts{MaxAttempts: 1}); err != nil {
		return nil, err
	}
	return &run, nil
}

// Run executes a queued run (the River worker calls it). The run moves queued → running →
// succeeded | partial | failed, each step checked in SQL.
func (s *Service) Run(ctx context.Context, runID uuid.UUID) error {
	res := s.db.WithContext(ctx).Exec(`UPDATE integration_runs SET status = 'running', started_at = now() WHERE id = ? AND status = 'queued'`, runID)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil // already taken or finished: a duplicate job does nothing
	}
	var row models.IntegrationRun
	if err := s.db.WithContext(ctx).Take(&row, "id = ?", runID).Error; err != nil {
		return err
	}
	r := &Run{IntegrationRun: row, db: s.db}
	in, c, err := s.Instance(ctx, s.db, row.IntegrationID)
	if err == nil {
		err = c.Run(ctx, in, r)
	}
	status, msg := models.RunSucceeded, fmt.Sprintf("%d sent", r.IntegrationRun.Sent)
	switch {
	case err != nil:
		status, msg = models.RunFailed, err.Error()
	case r.IntegrationRun.Failed > 0 && r.IntegrationRun.Sent > 0:
		status, msg = models.RunPartial, fmt.Sprintf("%d sent, %d failed", r.IntegrationRun.Sent, r.IntegrationRun.Failed)
	case r.IntegrationRun.Failed > 0:
		status, msg = models.RunFailed, fmt.Sprintf("%d failed", r.IntegrationRun.Failed)
	}
	// A finished run must be recorded even when the job's context was cancelled.
	fin := context.WithoutCancel(ctx)
	return s.db.WithContext(fin).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE integration_runs SET status = ?, message = ?, finished_at = now() WHERE id = ? AND status = 'running'`,
			status, truncate(msg, 2000), runID).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE integrations SET last_run_at = now(), last_run_status = ?,
			next_run_at = CASE WHEN enabled AND schedule_minutes > 0 THEN now() + schedule_minutes * interval '1 minute' END
			WHERE id = ?`, status, row.IntegrationID).Error
	})
}

// QueueDue queues a scheduled run for every enabled integration whose next run is due
// (the periodic scheduler job calls it). Rows are claimed with SKIP LOCKED, so several
// instances never queue the same run twice.
func (s *Service) QueueDue(ctx context.Context) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var due []models.Integration
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
			Where("enabled AND schedule_minutes > 0 AND next_run_at <= now()").Find(&due).Error; err != nil {
			return err
		}
		for _, in := range due {
			run, err := s.queueRun(ctx, tx, in.ID, models.TriggerSchedule)
			if err != nil {
				return err
			}
			if run != nil {
				n++
			}
			if err := tx.Exec(`UPDATE integrations SET next_run_at = now() + schedule_minutes * interval '1 minute' WHERE id = ?`, in.ID).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// Runs lists an integration's runs, newest first.
func (s *Service) Runs(ctx context.Context, id uuid.UUID, p models.Page) ([]models.IntegrationRun, int64, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&models.IntegrationRun{}).Where("integration_id = ?", id)
	return models.Paged[models.IntegrationRun](q, p, "created_at DESC")
}

// GetRun returns one run.
func (s *Service) GetRun(ctx context.Context, runID uuid.UUID) (*models.IntegrationRun, error) {
	var r models.IntegrationRun
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", runID).Error; err != nil {
		return nil, models.NotFoundIf(err, "run")
	}
	return &r, nil
}

// Errors lists an integration's errors: open ones by default, all with all=true.
func (s *Service) Errors(ctx context.Context, id uuid.UUID, all bool, p models.Page) ([]models.IntegrationError, int64, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&models.IntegrationError{}).Where("integration_id = ?", id)
	if !all {
		q = q.Where("status <> 'resolved'")
	}
	return models.Paged[models.IntegrationError](q, p, "updated_at DESC")
}

// RetryError makes an error's item due now and queues a manual run to send it.
func (s *Service) RetryError(ctx context.Context, actor models.Actor, id, errorID uuid.UUID) (*models.IntegrationRun, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE integration_errors SET status = 'retrying', next_attempt_at = now(), updated_at = now()
		WHERE id = ? AND integration_id = ? AND status <> 'resolved'`, errorID, id)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		if err := s.db.WithContext(ctx).Take(&models.IntegrationError{}, "id = ? AND integration_id = ?", errorID, id).Error; err != nil {
			return nil, models.NotFoundIf(err, "error")
		}
		return nil, models.Conflict("this error is already resolved")
	}
	run, err := s.StartRun(ctx, actor, id, models.TriggerManual)
	if errors.Is(err, models.ErrConflict) {
		return nil, nil // a run is already on its way and will pick the item up
	}
	return run, err
}

// ResolveError marks an error handled by a person: its item is not retried again.
func (s *Service) ResolveError(ctx context.Context, actor models.Actor, id, errorID uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE integration_errors SET status = 'resolved', resolved_at = now(), resolved_by = ?, updated_at = now()
			WHERE id = ? AND integration_id = ? AND status <> 'resolved'`, actor.UserRef(), errorID, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			if err := tx.Take(&models.IntegrationError{}, "id = ? AND integration_id = ?", errorID, id).Error; err != nil {
				return models.NotFoundIf(err, "error")
			}
			return models.Conflict("this error is already resolved")
		}
		return models.Audit(ctx, tx, actor, "resolve_error", "integration", id, nil, map[string]string{"errorId": errorID.String()})
	})
}

// runWorker performs queued runs.
type runWorker struct {
	river.WorkerDefaults[RunArgs]
	svc *Service
}

func (w *runWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	return w.svc.Run(ctx, job.Args.RunID)
}

// SchedulerArgs is the periodic job that queues due runs.
type SchedulerArgs struct{}

// Kind names the job.
func (SchedulerArgs) Kind() string { return "integration_scheduler" }

type schedulerWorker struct {
	river.WorkerDefaults[SchedulerArgs]
	svc *Service
}

func (w *schedulerWorker) Work(ctx context.Context, _ *river.Job[SchedulerArgs]) error {
	if _, err := w.svc.FailOrphanedRuns(ctx); err != nil {
		return err
	}
	_, err := w.svc.QueueDue(ctx)
	return err
}

// FailOrphanedRuns marks failed the queued or running runs whose job is gone: a worker that
// stopped mid-run (a crash, a kill during a deploy) leaves its job to River's rescuer, which
// discards it (runs get one attempt). Without this such a run would stay "running" and, as only
// one run per integration may be active, block every later run. Runs under a minute old are
// left alone while their job is being inserted.
func (s *Service) FailOrphanedRuns(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE integration_runs r SET status = 'failed', finished_at = now(),
		message = 'the worker stopped during this run (a restart or a crash); its counts show how far it got: run it again'
		WHERE r.status IN ('queued', 'running') AND r.created_at < now() - interval '1 minute'
		AND NOT EXISTS (SELECT 1 FROM river_job j WHERE j.kind = ? AND j.args->>'runId' = r.id::text
			AND j.state IN ('available', 'pending', 'retryable', 'running', 'scheduled'))`, RunArgs{}.Kind())
	return res.RowsAffected, res.Error
}

// RegisterJobs adds the run worker and the once-a-minute scheduler.
func (s *Service) RegisterJobs(reg *jobs.Registry) {
	river.AddWorker(reg.Workers, &runWorker{svc: s})
	river.AddWorker(reg.Workers, &schedulerWorker{svc: s})
	reg.Every(time.Minute, func() river.JobArgs { return SchedulerArgs{} })
}
