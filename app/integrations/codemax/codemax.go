// Package codemax sends a store's sales to Codemax RMS through its POS Live Sync API
// (seed 000): log in for a 15-minute access token, post invoices at most 20 at a time, renew
// the token with both the access and the refresh token, log in again when that fails.
//
// Which sales go: every sale of the integration's store sold on or after the send-from date
// (by default the day the integration was created, in the store's time zone), refunds
// included as invoices with negative figures. Each goes once. A sale voided after it was sent
// goes again once with isVoid true; one voided before it was ever sent goes once, with isVoid
// true. The codemax_invoices table is the outbox that makes "once" hold across runs, crashes
// and concurrent runs; refused invoices stay pending as integration errors and are tried again
// on later runs with exponential backoff until they go or a person resolves the error.
package codemax

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/integrations"
	"backroom/app/outbound"
	"backroom/models"
)

// BatchSize is Codemax's limit of invoices per sync call.
const BatchSize = 20

// Options tune the connector; the zero value is production's.
type Options struct {
	// Client makes the calls (default: outbound's strict client with a 20-second time-out).
	Client *http.Client
	// TokenLifetime is how long an access token is used before it is renewed (default 15m).
	TokenLifetime time.Duration
	// Now is the clock tokens are aged by (default time.Now).
	Now func() time.Time
	// Attempts is how many times a batch is posted when Codemax errs with 5xx/429 or the
	// network fails, before its invoices become errors (default 3).
	Attempts int
	// RetryWait is the first wait between those attempts, doubled each time (default 2s).
	RetryWait time.Duration
	// Backoff is how long a refused invoice waits before a later run tries it again, doubled
	// for each further failure up to six hours (default 1 minute).
	Backoff time.Duration
}

// Connector is the codemax kind.
type Connector struct {
	opts   Options
	client *http.Client
}

// New builds the connector.
func New(o Options) *Connector {
	if o.Client == nil {
		o.Client = outbound.Guard{}.Client(20 * time.Second)
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.RetryWait <= 0 {
		o.RetryWait = 2 * time.Second
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Minute
	}
	return &Connector{opts: o, client: o.Client}
}

func (c *Connector) now() time.Time { return c.opts.Now() }

// Kind is "codemax".
func (c *Connector) Kind() string { return models.KindCodemax }

// Label names the kind.
func (c *Connector) Label() string { return "Codemax RMS" }

// NeedsStore is true: the integration sends one store's sales, under its branch code.
func (c *Connector) NeedsStore() bool { return true }

// Help explains what is sent and when.
func (c *Connector) Help() string {
	return "Sends this store's sales to Codemax RMS (POS Live Sync) so the RMS can track inventory. " +
		"Every few minutes (the schedule below) and on \"Sync now\", each completed sale and refund sold on or after the send-from date " +
		"goes once as an invoice (receipt number, date, totals, lines by SKU, payments); refunds carry negative quantities and amounts. " +
		"A sale voided after it was sent goes again once marked void; a sale voided before it was ever sent goes once, marked void. " +
		"Invoices go at most 20 per call. An invoice Codemax refuses appears under errors and is tried again on later runs, waiting longer " +
		"each time (1 minute, doubling, at most 6 hours); \"Retry\" tries it on the next run, \"Resolve\" stops trying it."
}

// Fields are the settings and the password.
func (c *Connector) Fields() []integrations.Field {
	return []integrations.Field{
		{Name: "baseUrl", Label: "Base URL", Type: "url", Default: "https://possync-staging.c-mx.co", Required: true,
			Help: "The staging server by default; the live one is https://possync.c-mx.co."},
		{Name: "branchCode", Label: "Branch code", Required: true,
			Help: "The branch code Codemax gave this store; it goes on every invoice."},
		{Name: "username", Label: "Username", Required: true, Help: "The POS Live Sync login Codemax issued."},
		{Name: "password", Label: "Password", Secret: true, Required: true,
			Help: "Stored encrypted and never shown again; leave blank to keep the current one."},
		{Name: "scheduleMinutes", Label: "Send every (minutes)", Type: "int", Default: "5", Min: 1, Max: 1440,
			Help: "How often pending sales are sent, from 1 to 1440 minutes."},
		{Name: "sendFrom", Label: "Send sales from (YYYY-MM-DD)",
			Help: "Sales sold before this day (store time) are not sent. Blank means the day the integration was created, " +
				"so turning it on for a store with years of history does not flood the RMS; set an earlier day to send older sales."},
	}
}

// config is what a run or test needs from the instance.
type config struct {
	base, branch, username, password string
	store                            *models.Store
	from                             time.Time
}

func configOf(in *integrations.Instance) (config, error) {
	cfg := config{
		base:     strings.TrimRight(in.Setting("baseUrl"), "/"),
		branch:   in.Setting("branchCode"),
		username: in.Setting("username"),
		password: in.Secrets["password"],
		store:    in.Store,
	}
	var missing []string
	for name, v := range map[string]string{"baseUrl": cfg.base, "branchCode": cfg.branch, "username": cfg.username, "password": cfg.password} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return cfg, fmt.Errorf("settings incomplete: %s must be set", strings.Join(missing, ", "))
	}
	if cfg.store == nil {
		return cfg, errors.New("no store chosen: a Codemax integration sends one store's sales")
	}
	loc := cfg.store.Location()
	if v := strings.TrimSpace(in.Setting("sendFrom")); v != "" {
		d, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			return cfg, fmt.Errorf("send-from date %q is not a date like 2024-01-31", v)
		}
		cfg.from = d
	} else {
		y, m, d := in.CreatedAt.In(loc).Date()
		cfg.from = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	return cfg, nil
}

func (c *Connector) session(cfg config) *session {
	return &session{c: c, base: cfg.base, username: cfg.username, password: cfg.password}
}

// Test logs in and says what failed: the server could not be reached, the credentials were
// refused, or the answer was not what Codemax gives.
func (c *Connector) Test(ctx context.Context, in *integrations.Instance) error {
	cfg, err := configOf(in)
	if err != nil {
		return err
	}
	return c.session(cfg).login(ctx)
}

// progress is what a run reports to; *integrations.Run is one.
type progress interface {
	AddTotal(ctx context.Context, n int) error
	Sent(ctx context.Context, itemType string, refs ...string) error
	Failed(ctx context.Context, itemType, ref, message string) error
}

// Run sends everything pending, 20 invoices per call, until nothing is left.
func (c *Connector) Run(ctx context.Context, in *integrations.Instance, r *integrations.Run) error {
	id := r.ID
	return c.run(ctx, in, r.DB(), &id, r)
}

func (c *Connector) run(ctx context.Context, in *integrations.Instance, db *gorm.DB, runID *uuid.UUID, p progress) error {
	cfg, err := configOf(in)
	if err != nil {
		return err
	}
	l := newLedger(db, in.ID, cfg.store.ID, runID, cfg.from)
	pending, err := l.pending(ctx)
	if err != nil {
		return err
	}
	if err := p.AddTotal(ctx, pending); err != nil {
		return err
	}
	claimedN := 0
	// The count was an estimate (sales keep coming, another run may take some): settle the
	// total on what this run actually handled.
	defer func() {
		if claimedN != pending {
			_ = p.AddTotal(context.WithoutCancel(ctx), claimedN-pending)
		}
	}()
	s := c.session(cfg)
	loc := cfg.store.Location()
	for {
		batch, err := l.next(ctx, BatchSize)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		claimedN += len(batch)
		if err := c.deliver(ctx, s, l, p, cfg.branch, loc, batch); err != nil {
			claimedN -= len(batch)
			return err
		}
	}
}

// deliver posts one batch and settles each invoice as sent or failed. It returns an error only
// when the run cannot go on (no token, stopped); the batch is then released untried.
func (c *Connector) deliver(ctx context.Context, s *session, l *ledger, p progress, branch string, loc *time.Location, batch []claimed) error {
	sales, err := l.load(ctx, batch)
	if err != nil {
		return errors.Join(err, l.release(ctx, batch))
	}
	items := make([]claimed, 0, len(batch))
	invoices := make([]Invoice, 0, len(batch))
	asVoid := map[uuid.UUID]bool{}
	for _, it := range batch {
		sale, ok := sales[it.SaleID]
		if !ok {
			continue // deleted since the claim; its outbox row went with it
		}
		isVoid := it.Event == eventVoid || sale.Status == models.SaleVoided
		asVoid[it.SaleID] = isVoid
		items = append(items, it)
		invoices = append(invoices, invoiceOf(sale, branch, loc, isVoid))
	}
	if len(items) == 0 {
		return nil
	}
	body, err := s.sync(ctx, invoices)
	var auth authError
	if errors.As(err, &auth) || (err != nil && ctx.Err() != nil) {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return errors.Join(err, l.release(ctx, items))
	}
	// Codemax answered: settle the batch even if the run is being stopped meanwhile. Releasing
	// an accepted batch (as a stop noticed here once did) sent it again on the next run.
	ctx = context.WithoutCancel(ctx)
	verdicts := results(body)
	var ok []claimed
	refs := map[string][]string{}
	for i, it := range items {
		no := invoices[i].InvoiceNo
		msg := ""
		if err != nil {
			msg = err.Error()
		} else if v, found := verdicts[no]; found && isRefusal(v.Status) {
			msg = v.Message
			if msg == "" {
				msg = "Codemax refused the invoice (status " + v.Status + ")"
			}
		}
		if msg == "" {
			ok = append(ok, it)
			refs[it.Event] = append(refs[it.Event], no)
			continue
		}
		if err := p.Failed(ctx, it.Event, no, msg); err != nil {
			return err
		}
		if err := l.markFailed(ctx, it, no, msg, c.opts.Backoff); err != nil {
			return err
		}
	}
	if err := l.markSent(ctx, ok, asVoid); err != nil {
		return err
	}
	for _, ev := range []string{eventSale, eventVoid} {
		if err := p.Sent(ctx, ev, refs[ev]...); err != nil {
			return err
		}
	}
	return nil
}

func isRefusal(status string) bool {
	switch strings.ToLower(status) {
	case "error", "failed", "fail", "rejected":
		return true
	}
	return false
}
