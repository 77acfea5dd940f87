// Package webhook is the sale-webhook connector (seed 003): every recorded sale is POSTed, signed,
// to the receivers configured on the sync-settings page, once when it is validated and once
// when its payment is terminated. Deliveries are queued in the sale's own transaction, retried
// with exponential backoff for 24 hours, logged attempt by attempt and redeliverable by hand.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"backroom/app/integrations"
	"backroom/app/jobs"
	"backroom/models"
)

// Headers of every delivery.
const (
	HeaderEvent     = "X-Backroom-Event"
	HeaderDelivery  = "X-Backroom-Delivery"
	HeaderTimestamp = "X-Backroom-Timestamp"
	HeaderSignature = "X-Backroom-Signature"
)

// Sign is the X-Backroom-Signature of a body sent at timestamp (unix seconds): the hex
// HMAC-SHA256 of timestamp + "." + body, keyed with the webhook's secret. Binding the timestamp
// lets receivers refuse replays of an old, validly signed body.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Retry is the delivery schedule: after a failed attempt n the next waits
// min(Base × 2^(n−1), Cap), until Window has passed (or Attempts were made, when set).
type Retry struct {
	Base     time.Duration
	Cap      time.Duration
	Window   time.Duration
	Attempts int           // 0: as many as fit in Window
	Wait     time.Duration // how long a terminated delivery waits before checking its validated one again
}

// DefaultRetry tries for 24 hours: 30 s, 1 min, 2 min, … then hourly — 31 attempts.
var DefaultRetry = Retry{Base: 30 * time.Second, Cap: time.Hour, Window: 24 * time.Hour, Wait: 2 * time.Second}

// delay is the wait after failed attempt n (1-based).
func (r Retry) delay(n int) time.Duration {
	d := r.Base
	for i := 1; i < n && d < r.Cap; i++ {
		d *= 2
	}
	return min(d, r.Cap)
}

// limit is the number of attempts a delivery gets before it is marked failed.
func (r Retry) limit() int {
	if r.Attempts > 0 {
		return r.Attempts
	}
	n, total := 1, time.Duration(0)
	for total < r.Window {
		total += r.delay(n)
		n++
	}
	return n
}

// Service queues, sends and logs sale webhooks. It is also the connector of kind "webhook".
type Service struct {
	db        *gorm.DB
	integ     *integrations.Service
	linkKey   []byte
	publicURL string
	client    *http.Client
	retry     atomic.Pointer[Retry]
}

// New builds the service. linkKey signs the receipt-PDF links put in payloads; publicURL is
// where receivers reach Backroom.
func New(db *gorm.DB, integ *integrations.Service, linkKey []byte, publicURL string, client *http.Client) *Service {
	s := &Service{db: db, integ: integ, linkKey: linkKey, publicURL: strings.TrimRight(publicURL, "/"), client: client}
	s.SetRetry(DefaultRetry)
	return s
}

// SetRetry changes the delivery schedule (tests shorten it before starting the workers).
func (s *Service) SetRetry(r Retry) {
	if r.Wait <= 0 {
		r.Wait = DefaultRetry.Wait
	}
	s.retry.Store(&r)
}

func (s *Service) schedule() Retry { return *s.retry.Load() }

// RegisterJobs adds the delivery worker and the once-a-minute rescue of deliveries whose worker
// died. The deliveries it sends are queued by Recorded, the sale hook the composition root gives
// the sales service.
func (s *Service) RegisterJobs(reg *jobs.Registry) {
	river.AddWorker(reg.Workers, &worker{svc: s})
	river.AddWorker(reg.Workers, &rescueWorker{svc: s})
	reg.Every(time.Minute, func() river.JobArgs { return RescueArgs{} })
}

// Kind is the stored kind.
func (s *Service) Kind() string { return models.KindWebhook }

// Label names the kind.
func (s *Service) Label() string { return "Sale webhook" }

// Help explains the kind on the form; the integration page shows how to verify a delivery.
func (s *Service) Help() string {
	return "Backroom POSTs every sale to your URL as JSON, twice: “validated” when it is recorded and “terminated” " +
		"when its payment completes. Each request is signed: X-Backroom-Signature is the hex HMAC-SHA256 of " +
		"X-Backroom-Timestamp + \".\" + the raw body, keyed with the secret below. Answer 2xx within 10 seconds; " +
		"anything else is retried with growing pauses for 24 hours. Reject requests whose timestamp is more than 5 " +
		"minutes old. The integration's page shows the payload, Go and Node code to check the signature, and the delivery log."
}

// Fields are the settings and the secret.
func (s *Service) Fields() []integrations.Field {
	return []integrations.Field{
		{Name: "url", Label: "Receiver URL", Type: "url", Required: true, Help: "Where sales are POSTed, such as https://shop.example/hooks/backroom."},
		{Name: "events", Label: "Events", Type: "multi", Options: []string{EventValidated, EventTerminated}, Default: EventValidated + "," + EventTerminated, Required: true,
			Help: "validated: the sale is recorded and its invoice exists; terminated: its payment is complete."},
		{Name: "secret", Label: "Signing secret", Secret: true, Required: true, Help: "Shared with the receiver to check X-Backroom-Signature. At least 16 random characters."},
	}
}

// Test POSTs a signed ping ({"type":"ping"}, event "ping") and expects a 2xx.
func (s *Service) Test(ctx context.Context, in *integrations.Instance) error {
	res := s.post(ctx, in, "ping", "ping-"+models.NewID().String(), []byte(`{"type":"ping"}`))
	if res.ok() {
		return nil
	}
	return fmt.Errorf("%s", res.describe())
}

// Run queues every failed delivery of the integration again ("Sync now" on the page).
func (s *Service) Run(ctx context.Context, in *integrations.Instance, r *integrations.Run) error {
	var ids []uuid.UUID
	if err := r.DB().WithContext(ctx).Model(&Delivery{}).Where("integration_id = ? AND status = ?", in.ID, StatusFailed).
		Order("created_at").Pluck("id", &ids).Error; err != nil {
		return err
	}
	if err := r.AddTotal(ctx, len(ids)); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.Redeliver(ctx, models.System, in.ID, id); err != nil {
			if err := r.Failed(ctx, "delivery", id.String(), err.Error()); err != nil {
				return err
			}
			continue
		}
		if err := r.Sent(ctx, "delivery", id.String()); err != nil {
			return err
		}
	}
	return nil
}

// receiptLink is the public, signed URL of a sale's receipt PDF, valid until exp.
func (s *Service) receiptLink(saleID uuid.UUID, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return s.publicURL + "/receipts/" + saleID.String() + "/pdf?exp=" + e + "&sig=" + s.linkSig(saleID.String(), e)
}

// ReceiptLink is receiptLink for tests and other callers that hand a receipt to outsiders.
func (s *Service) ReceiptLink(saleID uuid.UUID, exp time.Time) string {
	return s.receiptLink(saleID, exp)
}

func (s *Service) linkSig(saleID, exp string) string {
	mac := hmac.New(sha256.New, s.linkKey)
	mac.Write([]byte("receipt-pdf:" + saleID + ":" + exp))
	return hex.EncodeToString(mac.Sum(nil))
}

// ReceiptLinkTTL is how long a receipt link in a payload stays valid.
const ReceiptLinkTTL = 7 * 24 * time.Hour
