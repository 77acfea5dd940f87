package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/app/integrations"
	"backroom/app/jobs"
	"backroom/models"
)

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// States a delivery's badge shows: its status, except that a pending delivery whose last attempt
// failed is retrying.
const (
	StateRetrying = "retrying"
)

// failingSQL picks the failing deliveries: given up (failed), or waiting for a retry after a
// failed attempt (pending with an attempt whose answer was an error or not a 2xx). A pending
// delivery never tried, or sent again by hand after it was delivered, is not failing. State is
// the same rule for one delivery.
const failingSQL = `(status = 'failed' OR (status = 'pending' AND attempts > 0
	AND (last_error <> '' OR last_status_code IS NULL OR last_status_code NOT BETWEEN 200 AND 299)))`

// Delivery is one event of one sale for one webhook integration.
type Delivery struct {
	ID             uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	IntegrationID  uuid.UUID  `gorm:"type:uuid" json:"integrationId"`
	SaleID         uuid.UUID  `gorm:"type:uuid" json:"saleId"`
	ReceiptNumber  string     `json:"receiptNumber"`
	Event          string     `json:"event"`
	Body           string     `json:"-"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	LastStatusCode *int       `json:"lastStatusCode"`
	LastDurationMs *int       `json:"lastDurationMs"`
	LastError      string     `json:"lastError"`
	NextAttemptAt  *time.Time `json:"nextAttemptAt"`
	DeliveredAt    *time.Time `json:"deliveredAt"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
}

// TableName is the table.
func (Delivery) TableName() string { return "webhook_deliveries" }

// lastAttemptFailed is whether the delivery was tried and its last attempt did not get a 2xx.
func (d Delivery) lastAttemptFailed() bool {
	return d.Attempts > 0 && !(result{code: d.LastStatusCode, err: d.LastError}).ok()
}

// State is what the delivery's badge says: pending (not tried yet, or sent again by hand after
// it was delivered), retrying (its last attempt failed and another is due at NextAttemptAt),
// delivered, or failed (it gave up). failingSQL is the same rule in SQL.
func (d Delivery) State() string {
	if d.Status == StatusPending && d.lastAttemptFailed() {
		return StateRetrying
	}
	return d.Status
}

// Failing is whether the delivery counts towards its integration's failing items.
func (d Delivery) Failing() bool { return d.Status == StatusFailed || d.State() == StateRetrying }

// problem is the delivery's error as the integration's health shows it.
func (d Delivery) problem() string {
	what := (result{code: d.LastStatusCode, err: d.LastError}).describe()
	if d.Status == StatusFailed {
		what = "gave up: " + what
	}
	return "Delivery of " + d.Event + " for " + d.ReceiptNumber + ": " + what
}

// Attempt is one try at a delivery.
type Attempt struct {
	ID              uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	DeliveryID      uuid.UUID `gorm:"type:uuid" json:"deliveryId"`
	StatusCode      *int      `json:"statusCode"`
	DurationMs      int       `json:"durationMs"`
	ResponseExcerpt string    `json:"responseExcerpt"`
	Error           string    `json:"error"`
	CreatedAt       time.Time `json:"createdAt"`
}

// TableName is the table.
func (Attempt) TableName() string { return "webhook_attempts" }

// Args is the River job that makes attempts at one delivery.
type Args struct {
	DeliveryID uuid.UUID `json:"deliveryId"`
	// Attempts this job may make (0: the full 24-hour schedule). A redelivery by hand makes one.
	Attempts int `json:"attempts,omitempty"`
}

// Kind names the job.
func (Args) Kind() string { return "webhook_delivery" }

// riverMaxAttempts only bounds River; the worker gives up at its own schedule's limit and
// cancels the job, having marked the delivery failed.
const riverMaxAttempts = 1000

// Recorded queues the deliveries of a sale being recorded, inside its transaction: one per
// enabled webhook integration of the sale's store (or of all stores) and selected event. The
// body is built here once, so every attempt and redelivery sends the same bytes.
func (s *Service) Recorded(ctx context.Context, tx *gorm.DB, sale *models.Sale) error {
	var hooks []models.Integration
	if err := tx.WithContext(ctx).Where("kind = ? AND enabled AND (store_id IS NULL OR store_id = ?)", models.KindWebhook, sale.StoreID).
		Order("id").Find(&hooks).Error; err != nil {
		return fmt.Errorf("webhooks for sale: %w", err)
	}
	if len(hooks) == 0 {
		return nil
	}
	events := []string{EventValidated}
	if sale.Status == models.SaleCompleted {
		events = append(events, EventTerminated)
	}
	p, err := buildPayload(ctx, tx, sale, s.receiptLink(sale.ID, time.Now().Add(ReceiptLinkTTL)))
	if err != nil {
		return fmt.Errorf("webhook payload: %w", err)
	}
	bodies := map[string]string{}
	for _, ev := range events {
		p.Type = ev
		if bodies[ev], err = encode(p); err != nil {
			return err
		}
	}
	for _, h := range hooks {
		selected := selectedEvents(h)
		for _, ev := range events {
			if !selected[ev] {
				continue
			}
			d := Delivery{ID: models.NewID(), IntegrationID: h.ID, SaleID: sale.ID, ReceiptNumber: sale.ReceiptNumber,
				Event: ev, Body: bodies[ev], Status: StatusPending}
			if err := tx.WithContext(ctx).Create(&d).Error; err != nil {
				return fmt.Errorf("queue webhook: %w", err)
			}
			if err := jobs.Enqueue(ctx, tx, Args{DeliveryID: d.ID}, jobs.Opts{MaxAttempts: riverMaxAttempts}); err != nil {
				return err
			}
		}
	}
	return nil
}

// selectedEvents reads an integration's events setting (both when unset).
func selectedEvents(h models.Integration) map[string]bool {
	var settings map[string]string
	_ = json.Unmarshal(h.Settings, &settings)
	v := settings["events"]
	if strings.TrimSpace(v) == "" {
		v = EventValidated + "," + EventTerminated
	}
	out := map[string]bool{}
	for _, e := range strings.Split(v, ",") {
		out[strings.TrimSpace(e)] = true
	}
	return out
}

// worker sends deliveries.
type worker struct {
	river.WorkerDefaults[Args]
	svc *Service
}

// NextRetry follows the service's backoff schedule.
func (w *worker) NextRetry(job *river.Job[Args]) time.Time {
	return time.Now().Add(w.svc.schedule().delay(job.Attempt))
}

// Timeout bounds one attempt: the request's own 10 s plus recording it.
func (w *worker) Timeout(*river.Job[Args]) time.Duration { return 30 * time.Second }

func (w *worker) Work(ctx context.Context, job *river.Job[Args]) error {
	limit := job.Args.Attempts
	if limit <= 0 {
		limit = w.svc.schedule().limit()
	}
	return w.svc.deliver(ctx, job.Args.DeliveryID, job.Attempt, limit)
}

// deliver makes attempt n (of limit) at a delivery. It returns an error for River to retry,
// a snooze while the sale's validated delivery is still pending (terminated goes second), and
// nil when there is nothing (more) to do.
func (s *Service) deliver(ctx context.Context, id uuid.UUID, n, limit int) error {
	var d Delivery
	if err := s.db.WithContext(ctx).Take(&d, "id = ?", id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // its integration was deleted
		}
		return err
	}
	if d.Status != StatusPending {
		return nil
	}
	if d.Event == EventTerminated {
		var waiting int64
		if err := s.db.WithContext(ctx).Model(&Delivery{}).Where("integration_id = ? AND sale_id = ? AND event = ? AND status = ?",
			d.IntegrationID, d.SaleID, EventValidated, StatusPending).Count(&waiting).Error; err != nil {
			return err
		}
		if waiting > 0 {
			return river.JobSnooze(s.schedule().Wait)
		}
	}
	in, _, err := s.integ.Instance(ctx, s.db, d.IntegrationID)
	if errors.Is(err, models.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var res result
	if !in.Enabled {
		res = result{err: "not sent: the integration is disabled"}
		n = limit // a disabled receiver is not retried; redeliver once it is enabled again
	} else {
		res = s.post(ctx, in, d.Event, d.ID.String(), []byte(d.Body))
	}
	final := !res.ok() && n >= limit
	if err := s.record(context.WithoutCancel(ctx), d, n, res, final); err != nil {
		return err
	}
	switch {
	case res.ok():
		return nil
	case final:
		return river.JobCancel(errors.New(res.describe()))
	}
	return errors.New(res.describe())
}

// record stores an attempt and moves the delivery on, in one transaction.
func (s *Service) record(ctx context.Context, d Delivery, n int, res result, final bool) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if res.attempted {
			a := Attempt{ID: models.NewID(), DeliveryID: d.ID, StatusCode: res.code, DurationMs: res.durationMs,
				ResponseExcerpt: res.excerpt, Error: res.err}
			if err := tx.Create(&a).Error; err != nil {
				return err
			}
		}
		now := time.Now().UTC()
		upd := map[string]any{"last_status_code": res.code, "last_error": res.err, "updated_at": now}
		if res.attempted {
			upd["attempts"] = gorm.Expr("attempts + 1")
			upd["last_duration_ms"] = res.durationMs
		}
		switch {
		case res.ok():
			upd["status"], upd["delivered_at"], upd["next_attempt_at"] = StatusDelivered, now, nil
		case final:
			upd["status"], upd["next_attempt_at"] = StatusFailed, nil
		default:
			upd["next_attempt_at"] = now.Add(s.schedule().delay(n))
		}
		return tx.Model(&Delivery{}).Where("id = ? AND status = ?", d.ID, StatusPending).Updates(upd).Error
	})
}

// result is what one POST came to.
type result struct {
	attempted  bool
	code       *int
	durationMs int
	excerpt    string
	err        string
}

func (r result) ok() bool { return r.code != nil && *r.code >= 200 && *r.code < 300 }

// describe says what went wrong without the URL (it may carry a token) or the secret.
func (r result) describe() string {
	switch {
	case r.err != "":
		return r.err
	case r.code != nil:
		return "receiver answered " + strconv.Itoa(*r.code)
	}
	return "no answer"
}

const excerptLimit = 1024

// post sends one signed request. The timestamp and signature are made now, per attempt.
func (s *Service) post(ctx context.Context, in *integrations.Instance, event, deliveryID string, body []byte) result {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.Settings["url"], strings.NewReader(string(body)))
	if err != nil {
		return result{err: "the receiver URL is not usable"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Backroom-Webhook/1")
	req.Header.Set(HeaderEvent, event)
	req.Header.Set(HeaderDelivery, deliveryID)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(in.Secrets["secret"], ts, body))
	start := time.Now()
	resp, err := s.client.Do(req)
	res := result{attempted: true}
	if err != nil {
		res.durationMs = int(time.Since(start).Milliseconds())
		res.err = netError(err)
		return res
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, excerptLimit))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	res.durationMs = int(time.Since(start).Milliseconds())
	code := resp.StatusCode
	res.code, res.excerpt = &code, cleanExcerpt(head)
	return res
}

// netError describes a transport failure without its URL.
func netError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timed out after 10 s"
		}
		err = ue.Err
	}
	return truncate("request failed: "+err.Error(), 500)
}

// cleanExcerpt keeps at most 1 KB of valid UTF-8 text (PostgreSQL text refuses NUL bytes).
func cleanExcerpt(b []byte) string {
	s := strings.ToValidUTF8(string(b), "�")
	s = strings.ReplaceAll(s, "\x00", "")
	for len(s) > excerptLimit {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Redeliver sends a delivery again now. A pending one has its next attempt brought forward; a
// delivered or failed one is queued for one more attempt with the same body.
func (s *Service) Redeliver(ctx context.Context, actor models.Actor, integrationID, deliveryID uuid.UUID) (*Delivery, error) {
	var d Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&d, "id = ? AND integration_id = ?", deliveryID, integrationID).Error; err != nil {
			return models.NotFoundIf(err, "delivery")
		}
		now := time.Now().UTC()
		if d.Status == StatusPending {
			res := tx.Exec(`UPDATE river_job SET state = 'available', scheduled_at = now()
				WHERE kind = ? AND args->>'deliveryId' = ? AND state IN ('scheduled', 'retryable')`, Args{}.Kind(), d.ID.String())
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return models.Conflict("an attempt at this delivery is under way; reload in a moment")
			}
		} else {
			if err := jobs.Enqueue(ctx, tx, Args{DeliveryID: d.ID, Attempts: 1}, jobs.Opts{MaxAttempts: riverMaxAttempts}); err != nil {
				return err
			}
		}
		if err := tx.Model(&Delivery{}).Where("id = ?", d.ID).
			Updates(map[string]any{"status": StatusPending, "next_attempt_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		d.Status, d.NextAttemptAt = StatusPending, &now
		return models.Audit(ctx, tx, actor, "redeliver_webhook", "integration", integrationID, nil,
			map[string]string{"deliveryId": d.ID.String(), "event": d.Event, "receiptNumber": d.ReceiptNumber})
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// DeliveryView is a delivery in the log with its attempts and the body it sends.
type DeliveryView struct {
	Delivery
	// State is Status as the badge says it: "retrying" for a pending delivery whose last attempt failed.
	State      string          `json:"state"`
	Failing    bool            `json:"failing"`
	Payload    json.RawMessage `json:"payload"`
	AttemptLog []Attempt       `json:"attemptLog"`
}

// Failures are the failing deliveries of each webhook integration of ids (the integrations
// service's Health counts them).
func (s *Service) Failures(ctx context.Context, db *gorm.DB, ids []uuid.UUID) (map[uuid.UUID]integrations.Failure, error) {
	var rows []struct {
		Delivery
		N int64
	}
	if err := db.WithContext(ctx).Raw(`SELECT DISTINCT ON (integration_id) id, integration_id, receipt_number, event, status, attempts,
			last_status_code, last_error, updated_at, count(*) OVER (PARTITION BY integration_id) AS n
		FROM webhook_deliveries WHERE integration_id IN ? AND `+failingSQL+`
		ORDER BY integration_id, updated_at DESC, id DESC`, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]integrations.Failure, len(rows))
	for _, r := range rows {
		what := fmt.Sprintf("%d deliveries retrying or given up (see Deliveries below)", r.N)
		if r.N == 1 {
			what = "1 delivery retrying or given up (see Deliveries below)"
		}
		out[r.IntegrationID] = integrations.Failure{Items: r.N, What: what, LastError: r.problem(), At: r.UpdatedAt}
	}
	return out, nil
}

// Deliveries lists an integration's deliveries, newest first, with their attempts.
func (s *Service) Deliveries(ctx context.Context, integrationID uuid.UUID, status string, p models.Page) ([]DeliveryView, int64, error) {
	if _, err := s.integ.Get(ctx, integrationID); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&Delivery{}).Where("integration_id = ?", integrationID)
	switch status {
	case "":
	case StatusPending, StatusDelivered, StatusFailed:
		q = q.Where("status = ?", status)
	default:
		return nil, 0, models.FieldError("status", "must be one of: pending, delivered, failed")
	}
	list, total, err := models.Paged[Delivery](q, p, "created_at DESC, id DESC")
	if err != nil {
		return nil, 0, err
	}
	out := make([]DeliveryView, len(list))
	ids := make([]uuid.UUID, len(list))
	index := map[uuid.UUID]int{}
	for i, d := range list {
		out[i] = DeliveryView{Delivery: d, State: d.State(), Failing: d.Failing(), Payload: json.RawMessage(d.Body), AttemptLog: []Attempt{}}
		ids[i] = d.ID
		index[d.ID] = i
	}
	if len(ids) > 0 {
		var attempts []Attempt
		if err := s.db.WithContext(ctx).Where("delivery_id IN ?", ids).Order("created_at, id").Find(&attempts).Error; err != nil {
			return nil, 0, err
		}
		for _, a := range attempts {
			i := index[a.DeliveryID]
			out[i].AttemptLog = append(out[i].AttemptLog, a)
		}
	}
	return out, total, nil
}
