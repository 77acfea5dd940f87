package codemax

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// Events of the outbox: a sale's invoice, and later its void.
const (
	eventSale = "sale"
	eventVoid = "void"
)

// claimed is one outbox row this run holds (status 'sending', run_id this run).
type claimed struct {
	SaleID uuid.UUID
	Event  string
	fresh  bool   // inserted by this run: releasing it deletes it
	prev   string // status before a reclaim ('error' or a crashed run's 'sending')
}

// cursor is a keyset position in (sold_at, id) order, so a long run never reads a sale twice.
type cursor struct {
	at time.Time
	id uuid.UUID
}

// ledger claims and settles outbox rows of one integration. Every claim runs in a transaction
// holding a per-integration advisory lock, so two runs of the same integration (which the
// service already prevents) would still claim disjoint rows; the primary key makes a second
// claim of the same (sale, event) impossible even without it.
type ledger struct {
	db      *gorm.DB
	integ   uuid.UUID
	store   uuid.UUID
	run     *uuid.UUID
	from    time.Time
	sources []func(ctx context.Context, tx *gorm.DB, n int) (items []claimed, exhausted bool, err error)
	src     int
	newPos  *cursor
	voidPos *cursor
}

func newLedger(db *gorm.DB, integ, store uuid.UUID, run *uuid.UUID, from time.Time) *ledger {
	l := &ledger{db: db, integ: integ, store: store, run: run, from: from}
	// Retries first (they have waited longest), then new sales, then voids of sent sales, so a
	// sale sent and voided during this run has its void go out in the same run.
	l.sources = append(l.sources, l.claimDue, l.claimNew, l.claimVoids)
	return l
}

// next claims up to n items, filling the batch from each source in turn.
func (l *ledger) next(ctx context.Context, n int) ([]claimed, error) {
	var out []claimed
	err := l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtext('codemax:' || ?::text))`, l.integ).Error; err != nil {
			return err
		}
		for l.src < len(l.sources) && len(out) < n {
			got, exhausted, err := l.sources[l.src](ctx, tx, n-len(out))
			if err != nil {
				return err
			}
			if exhausted {
				l.src++ // this source has nothing more for this run
			}
			out = append(out, got...)
		}
		return nil
	})
	return out, err
}

// dueCondition selects outbox rows that may be claimed again: a crashed run's rows (sending
// for over 15 minutes) and refused rows whose integration_errors row is still open and due.
// A person's Retry sets that row's next_attempt_at to now; Resolve closes it, and a row whose
// error is resolved is never tried again.
const dueCondition = `c.integration_id = ? AND (
		(c.status = 'sending' AND c.claimed_at < now() - interval '15 minutes')
		OR (c.status = 'error' AND EXISTS (
			SELECT 1 FROM integration_errors e JOIN sales s ON s.id = c.sale_id
			WHERE e.integration_id = c.integration_id AND e.item_type = c.event AND e.item_ref = s.receipt_number
			  AND e.status <> 'resolved' AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= now()))))`

func (l *ledger) claimDue(ctx context.Context, tx *gorm.DB, n int) ([]claimed, bool, error) {
	var rows []struct {
		SaleID uuid.UUID
		Event  string
		Prev   string
	}
	err := tx.Raw(`
		UPDATE codemax_invoices ci SET status = 'sending', run_id = ?, claimed_at = now(), updated_at = now()
		FROM (SELECT c.sale_id, c.event, c.status FROM codemax_invoices c WHERE `+dueCondition+`
		      ORDER BY c.claimed_at LIMIT ? FOR UPDATE SKIP LOCKED) due
		WHERE ci.integration_id = ? AND ci.sale_id = due.sale_id AND ci.event = due.event AND ci.status IN ('sending', 'error')
		RETURNING ci.sale_id, ci.event, due.status AS prev`, l.run, l.integ, n, l.integ).Scan(&rows).Error
	out := make([]claimed, 0, len(rows))
	for _, r := range rows {
		out = append(out, claimed{SaleID: r.SaleID, Event: r.Event, prev: r.Prev})
	}
	return out, len(rows) < n, err
}

// candidate is a sale that may need sending.
type candidate struct {
	ID     uuid.UUID
	SoldAt time.Time
}

func keyset(q string, args []any, pos *cursor) (string, []any) {
	if pos != nil {
		q += ` AND (s.sold_at, s.id) > (?, ?)`
		args = append(args, pos.at, pos.id)
	}
	return q, args
}

// newSales is the query of the store's sales from the send-from date that have no outbox row.
func (l *ledger) newSales() (string, []any) {
	return `FROM sales s WHERE s.store_id = ? AND s.sold_at >= ?
		AND NOT EXISTS (SELECT 1 FROM codemax_invoices c WHERE c.integration_id = ? AND c.sale_id = s.id)`,
		[]any{l.store, l.from, l.integ}
}

// voidedSales is the query of sales sent as completed and voided since, whose void has no row.
func (l *ledger) voidedSales() (string, []any) {
	return `FROM sales s JOIN codemax_invoices c ON c.integration_id = ? AND c.sale_id = s.id
			AND c.event = 'sale' AND c.status = 'sent' AND NOT c.sent_as_void
		WHERE s.store_id = ? AND s.status = 'voided'
		AND NOT EXISTS (SELECT 1 FROM codemax_invoices v WHERE v.integration_id = c.integration_id AND v.sale_id = s.id AND v.event = 'void')`,
		[]any{l.integ, l.store}
}

// claimNew claims sales never sent. A sale already voided when first claimed goes out once, as
// its void (event 'void', isVoid true): the RMS never saw it, so there is nothing to undo.
func (l *ledger) claimNew(ctx context.Context, tx *gorm.DB, n int) ([]claimed, bool, error) {
	from, args := l.newSales()
	return l.claimFrom(tx, from, args, &l.newPos, n, `CASE WHEN s.status = 'voided' THEN 'void' ELSE 'sale' END`)
}

func (l *ledger) claimVoids(ctx context.Context, tx *gorm.DB, n int) ([]claimed, bool, error) {
	from, args := l.voidedSales()
	return l.claimFrom(tx, from, args, &l.voidPos, n, `'void'`)
}

// claimFrom reads the next n candidates after *pos, moves *pos past them (claimed or not) and
// inserts their outbox rows; rows another claim inserted first are skipped by ON CONFLICT. The
// source is exhausted when fewer than n candidates are left.
func (l *ledger) claimFrom(tx *gorm.DB, from string, args []any, pos **cursor, n int, event string) ([]claimed, bool, error) {
	q, args := keyset(`SELECT s.id, s.sold_at `+from, args, *pos)
	var cands []candidate
	if err := tx.Raw(q+` ORDER BY s.sold_at, s.id LIMIT ?`, append(args, n)...).Scan(&cands).Error; err != nil {
		return nil, false, err
	}
	if len(cands) == 0 {
		return nil, true, nil
	}
	last := cands[len(cands)-1]
	*pos = &cursor{at: last.SoldAt, id: last.ID}
	ids := make([]uuid.UUID, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
	}
	var rows []struct {
		SaleID uuid.UUID
		Event  string
	}
	err := tx.Raw(`
		INSERT INTO codemax_invoices (integration_id, sale_id, event, status, run_id, claimed_at)
		SELECT ?, s.id, `+event+`, 'sending', ?, now() FROM sales s WHERE s.id IN ?
		ON CONFLICT DO NOTHING
		RETURNING sale_id, event`, l.integ, l.run, ids).Scan(&rows).Error
	if err != nil {
		return nil, false, err
	}
	out := make([]claimed, 0, len(rows))
	for _, r := range rows {
		out = append(out, claimed{SaleID: r.SaleID, Event: r.Event, fresh: true})
	}
	return out, len(cands) < n, nil
}

// pending counts what this run expects to send, for the progress bar.
func (l *ledger) pending(ctx context.Context) (int, error) {
	db := l.db.WithContext(ctx)
	var due, fresh, voids int64
	if err := db.Raw(`SELECT count(*) FROM codemax_invoices c WHERE `+dueCondition, l.integ).Scan(&due).Error; err != nil {
		return 0, err
	}
	from, args := l.newSales()
	if err := db.Raw(`SELECT count(*) `+from, args...).Scan(&fresh).Error; err != nil {
		return 0, err
	}
	from, args = l.voidedSales()
	if err := db.Raw(`SELECT count(*) `+from, args...).Scan(&voids).Error; err != nil {
		return 0, err
	}
	return int(due + fresh + voids), nil
}

// load reads the claimed sales with their lines and payments.
func (l *ledger) load(ctx context.Context, items []claimed) (map[uuid.UUID]models.Sale, error) {
	ids := make([]uuid.UUID, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.SaleID)
	}
	var sales []models.Sale
	err := l.db.WithContext(ctx).
		Preload("Items", func(db *gorm.DB) *gorm.DB { return db.Order("line_no") }).
		Preload("Payments", func(db *gorm.DB) *gorm.DB { return db.Order("line_no") }).
		Where("id IN ?", ids).Find(&sales).Error
	out := make(map[uuid.UUID]models.Sale, len(sales))
	for _, s := range sales {
		out[s.ID] = s
	}
	return out, err
}

// markSent settles delivered rows; asVoid says which 'sale' rows went out with isVoid.
func (l *ledger) markSent(ctx context.Context, items []claimed, asVoid map[uuid.UUID]bool) error {
	return l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, it := range items {
			if err := tx.Exec(`UPDATE codemax_invoices SET status = 'sent', sent_at = now(), attempts = attempts + 1,
				last_error = '', sent_as_void = ?, updated_at = now()
				WHERE integration_id = ? AND sale_id = ? AND event = ?`,
				it.Event == eventSale && asVoid[it.SaleID], l.integ, it.SaleID, it.Event).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// markFailed leaves a refused row pending and sets when its open error falls due: base × 2^(n-1)
// after the n-th failure, at most six hours. The error row must exist (Run.Failed wrote it).
func (l *ledger) markFailed(ctx context.Context, it claimed, receipt, msg string, base time.Duration) error {
	return l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE codemax_invoices SET status = 'error', attempts = attempts + 1, last_error = ?, updated_at = now()
			WHERE integration_id = ? AND sale_id = ? AND event = ?`, msg, l.integ, it.SaleID, it.Event).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE integration_errors
			SET next_attempt_at = now() + interval '1 millisecond' * least(?::float8 * power(2, least(attempts - 1, 30)), 21600000)
			WHERE integration_id = ? AND item_type = ? AND item_ref = ? AND status <> 'resolved'`,
			float64(base.Milliseconds()), l.integ, it.Event, receipt).Error
	})
}

// release gives back rows a run claimed but could not try (login failed, the run was stopped):
// new rows are removed so the next run claims them afresh, reclaimed ones return to what they were.
func (l *ledger) release(ctx context.Context, items []claimed) error {
	return l.db.WithContext(context.WithoutCancel(ctx)).Transaction(func(tx *gorm.DB) error {
		for _, it := range items {
			var err error
			switch {
			case it.fresh:
				err = tx.Exec(`DELETE FROM codemax_invoices WHERE integration_id = ? AND sale_id = ? AND event = ? AND status = 'sending'`,
					l.integ, it.SaleID, it.Event).Error
			case it.prev == "error":
				err = tx.Exec(`UPDATE codemax_invoices SET status = 'error', updated_at = now() WHERE integration_id = ? AND sale_id = ? AND event = ?`,
					l.integ, it.SaleID, it.Event).Error
			default: // a crashed run's row: keep it reclaimable
				err = tx.Exec(`UPDATE codemax_invoices SET claimed_at = now() - interval '1 hour', updated_at = now() WHERE integration_id = ? AND sale_id = ? AND event = ?`,
					l.integ, it.SaleID, it.Event).Error
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}
