package inventory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/linemath"
	"backroom/models"
)

// Stock counts (stocktakes).
//
// The rule: starting a count snapshots, per product, the level at that moment ("expected").
// People then count the shelves and enter what they find. Posting applies each line's variance
// (counted − expected) as one count movement. Because the variance is measured against the
// snapshot and applied as a delta, whatever moved while the count was open (sales, receipts,
// transfers) is kept: after posting, level = counted + net movements since the count started.
// Lines nobody counted are left alone. One count may be open per store at a time.

// CountStartInput starts a count of a store: every active product that tracks stock, or only
// one department (with its sub-departments).
type CountStartInput struct {
	StoreID      string  `json:"storeId"`
	DepartmentID *string `json:"departmentId"`
	Note         string  `json:"note"`
}

// CountRow is a count in lists: the count, where, and how far counting got.
type CountRow struct {
	models.StockCount
	StoreCode      string `json:"storeCode"`
	StoreName      string `json:"storeName"`
	DepartmentName string `json:"departmentName"`
	LineCount      int64  `json:"lineCount"`
	CountedCount   int64  `json:"countedCount"`
}

// CountLineRow is one product of a count with its variance. Variance and VarianceCost are nil
// until the product is counted; MovedSince is the net movement at the store since the count
// started (other than this count's own postings).
type CountLineRow struct {
	ProductID    uuid.UUID  `json:"productId"`
	SKU          string     `gorm:"column:sku" json:"sku"`
	Barcode      *string    `json:"barcode"`
	ProductName  string     `json:"productName"`
	Expected     int64      `json:"expected"`
	Counted      *int64     `json:"counted"`
	Variance     *int64     `json:"variance"`
	UnitCost     int64      `json:"unitCost"`
	VarianceCost *int64     `json:"varianceCost"`
	Current      int64      `json:"currentQuantity"`
	MovedSince   int64      `json:"movedSinceStart"`
	CountedAt    *time.Time `json:"countedAt"`
}

// CountSummary totals a count's lines.
type CountSummary struct {
	Lines        int   `json:"lines"`
	Counted      int   `json:"counted"`
	Uncounted    int   `json:"uncounted"`
	WithVariance int   `json:"withVariance"`
	VarianceQty  int64 `json:"varianceQuantity"`
	VarianceCost int64 `json:"varianceCost"` // cents; negative is stock lost
}

// CountDetail is a count with its lines.
type CountDetail struct {
	CountRow
	Lines   []CountLineRow `json:"lines"`
	Summary CountSummary   `json:"summary"`
}

// varianceCost is the money value of a quantity variance at a unit cost, rounded half away
// from zero to the cent.
func varianceCost(variance, unitCost int64) int64 {
	return linemath.RoundDiv(variance*unitCost, 1000)
}

// productScope is the SQL condition (on products p) for what a count covers.
func productScope(dept *uuid.UUID) (string, []any) {
	cond := `p.deleted_at IS NULL AND p.is_active AND p.track_stock`
	if dept == nil {
		return cond, nil
	}
	return cond + ` AND p.department_id IN (WITH RECURSIVE d AS (
			SELECT id FROM departments WHERE id = ?
			UNION SELECT c.id FROM departments c JOIN d ON c.parent_id = d.id) SELECT id FROM d)`, []any{*dept}
}

// StartCount opens a count and snapshots the expected quantities. The covered levels are
// created (at 0) where missing and share-locked before the snapshot, so a sale committing at the
// same moment is either in the snapshot or counted as a movement since, never lost between.
func (s *Service) StartCount(ctx context.Context, actor models.Actor, in CountStartInput) (CountDetail, error) {
	e := models.Invalid()
	storeID := parseID(e, "storeId", in.StoreID)
	var dept *uuid.UUID
	if in.DepartmentID != nil && strings.TrimSpace(*in.DepartmentID) != "" {
		id := parseID(e, "departmentId", *in.DepartmentID)
		dept = &id
	}
	in.Note = strings.TrimSpace(in.Note)
	if len([]rune(in.Note)) > 200 {
		e.Add("note", "must be at most 200 characters")
	}
	if err := e.Err(); err != nil {
		return CountDetail{}, err
	}
	if !actor.CanAt("inventory.adjust", storeID) {
		return CountDetail{}, models.Forbidden("You may not count the stock of that store")
	}
	var id uuid.UUID
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := store(tx, storeID, "storeId"); err != nil {
			return err
		}
		if dept != nil {
			var n int64
			if err := tx.Model(&models.Department{}).Where("id = ?", *dept).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return models.FieldError("departmentId", "is not a known department")
			}
		}
		c := models.StockCount{ID: models.NewID(), StoreID: storeID, DepartmentID: dept, Status: models.CountOpen, Note: in.Note}
		if actor.UserID != uuid.Nil {
			uid := actor.UserID
			c.StartedBy = &uid
		}
		if err := tx.Raw(`SELECT 'SC-' || lpad(nextval('stock_count_number_seq')::text, 5, '0')`).Scan(&c.Number).Error; err != nil {
			return fmt.Errorf("count number: %w", err)
		}
		if err := tx.Omit("started_at", "finished_at").Create(&c).Error; err != nil {
			if models.IsUniqueViolation(err, "stock_counts_one_open") {
				return models.Conflict("a stock count is already open at this store; post or abandon it first")
			}
			return fmt.Errorf("create count: %w", err)
		}
		scope, args := productScope(dept)
		if err := tx.Exec(`INSERT INTO inventory_levels (store_id, product_id) SELECT ?, p.id FROM products p WHERE `+scope+`
			ON CONFLICT DO NOTHING`, append([]any{storeID}, args...)...).Error; err != nil {
			return fmt.Errorf("create levels: %w", err)
		}
		// Covered: the scope, plus products outside it that still hold stock here (an inactive
		// product with units on the shelf is counted too, unless the count is of one department).
		covered := `l.store_id = ? AND (` + scope + `)`
		if dept == nil {
			covered = `l.store_id = ? AND ((` + scope + `) OR l.quantity <> 0)`
		}
		coveredArgs := append([]any{storeID}, args...)
		var locked []int
		if err := tx.Raw(`SELECT 1 FROM inventory_levels l JOIN products p ON p.id = l.product_id WHERE `+covered+`
			ORDER BY l.product_id FOR SHARE OF l`, coveredArgs...).Scan(&locked).Error; err != nil {
			return fmt.Errorf("lock levels: %w", err)
		}
		if err := tx.Exec(`INSERT INTO stock_count_lines (stock_count_id, product_id, expected, unit_cost)
			SELECT ?, p.id, l.quantity, p.cost_price FROM inventory_levels l JOIN products p ON p.id = l.product_id WHERE `+covered,
			append([]any{c.ID}, coveredArgs...)...).Error; err != nil {
			return fmt.Errorf("snapshot levels: %w", err)
		}
		// started_at is set after the snapshot so "movements since the count started" begin here.
		if err := tx.Exec(`UPDATE stock_counts SET started_at = clock_timestamp() WHERE id = ?`, c.ID).Error; err != nil {
			return err
		}
		id = c.ID
		return models.Audit(ctx, tx, actor, "stock_count.start", "stock_count", c.ID, nil, c)
	})
	if err != nil {
		return CountDetail{}, err
	}
	return s.Count(ctx, actor, id, LineFilter{})
}

// countRows is the list query of counts with their store, department and progress.
func (s *Service) countRows(db *gorm.DB) *gorm.DB {
	return db.Table("stock_counts c").
		Joins("JOIN stores s ON s.id = c.store_id").
		Joins("LEFT JOIN departments d ON d.id = c.department_id").
		Select(`c.*, s.code AS store_code, s.name AS store_name, coalesce(d.name, '') AS department_name,
			(SELECT count(*) FROM stock_count_lines x WHERE x.stock_count_id = c.id) AS line_count,
			(SELECT count(*) FROM stock_count_lines x WHERE x.stock_count_id = c.id AND x.counted IS NOT NULL) AS counted_count`)
}

// CountFilter narrows the count list.
type CountFilter struct {
	StoreID *uuid.UUID
	Status  string
}

// Counts returns a page of counts, newest first, in the stores the actor may see.
func (s *Service) Counts(ctx context.Context, actor models.Actor, f CountFilter, p models.Page) ([]CountRow, int64, error) {
	if f.StoreID != nil && !actor.CanAt("inventory.view", *f.StoreID) {
		return nil, 0, models.Forbidden("You may not see the stock of that store")
	}
	q := actor.ScopeQuery(s.db.WithContext(ctx).Table("stock_counts c"), "inventory.view", "c.store_id")
	if f.StoreID != nil {
		q = q.Where("c.store_id = ?", *f.StoreID)
	}
	if f.Status != "" {
		q = q.Where("c.status = ?", f.Status)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count counts: %w", err)
	}
	rows := make([]CountRow, 0, p.PageSize)
	err := p.Apply(s.countRows(q.Session(&gorm.Session{}))).Order("c.started_at DESC, c.id DESC").Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list counts: %w", err)
	}
	return rows, total, nil
}

// LineFilter narrows the lines shown of a count: Show is "" (all), "uncounted", "counted",
// "variances" or "none" (the summary only); Search matches name, SKU or barcode.
type LineFilter struct {
	Show   string
	Search string
}

// Count returns a count with its lines (filtered) and the summary of all its lines.
func (s *Service) Count(ctx context.Context, actor models.Actor, id uuid.UUID, f LineFilter) (CountDetail, error) {
	db := s.db.WithContext(ctx)
	var d CountDetail
	res := s.countRows(db).Where("c.id = ?", id).Limit(1).Scan(&d.CountRow)
	if res.Error != nil {
		return d, res.Error
	}
	if res.RowsAffected == 0 || !actor.CanAt("inventory.view", d.StoreID) {
		return d, models.NotFound("stock count")
	}
	lines, err := s.countLines(db, d.StockCount, nil)
	if err != nil {
		return d, err
	}
	term := strings.ToLower(strings.TrimSpace(f.Search))
	d.Lines = make([]CountLineRow, 0, len(lines))
	for _, l := range lines {
		d.Summary.add(l)
		switch {
		case f.Show == "none", // summary only
			f.Show == "uncounted" && l.Counted != nil,
			f.Show == "counted" && l.Counted == nil,
			f.Show == "variances" && (l.Variance == nil || *l.Variance == 0):
			continue
		}
		if term != "" && !strings.Contains(strings.ToLower(l.ProductName), term) && !strings.Contains(strings.ToLower(l.SKU), term) &&
			(l.Barcode == nil || *l.Barcode != strings.TrimSpace(f.Search)) {
			continue
		}
		d.Lines = append(d.Lines, l)
	}
	return d, nil
}

func (sum *CountSummary) add(l CountLineRow) {
	sum.Lines++
	if l.Counted == nil {
		sum.Uncounted++
		return
	}
	sum.Counted++
	if *l.Variance != 0 {
		sum.WithVariance++
		sum.VarianceQty += *l.Variance
		sum.VarianceCost += *l.VarianceCost
	}
}

// countLines loads lines of a count (all, or only products) with their variance.
func (s *Service) countLines(db *gorm.DB, c models.StockCount, products []uuid.UUID) ([]CountLineRow, error) {
	q := db.Table("stock_count_lines x").
		Joins("JOIN products p ON p.id = x.product_id").
		Joins("LEFT JOIN inventory_levels l ON l.store_id = ? AND l.product_id = x.product_id", c.StoreID).
		Select(`x.product_id, p.sku, p.barcode, p.name AS product_name, x.expected, x.counted, x.unit_cost, x.counted_at,
			coalesce(l.quantity, 0) AS current`).
		Where("x.stock_count_id = ?", c.ID)
	if products != nil {
		q = q.Where("x.product_id IN ?", products)
	}
	var rows []CountLineRow
	if err := q.Order("lower(p.name), p.sku").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count lines: %w", err)
	}
	for i := range rows {
		r := &rows[i]
		if c.Status == models.CountOpen {
			r.MovedSince = r.Current - r.Expected
		}
		if r.Counted != nil {
			v := *r.Counted - r.Expected
			cost := varianceCost(v, r.UnitCost)
			r.Variance, r.VarianceCost = &v, &cost
		}
	}
	return rows, nil
}

// CountEntry is one entered quantity: the product by ProductID or by Barcode (a barcode or SKU,
// as scanned or typed), and either Counted (the quantity found, replacing what was entered) or
// Add (added to it). An entry with neither is one scan: it adds one unit.
type CountEntry struct {
	ProductID string `json:"productId"`
	Barcode   string `json:"barcode"`
	Counted   *int64 `json:"counted"`
	Add       *int64 `json:"add"`
}

// CountEntries is the body of PUT /inventory/counts/:id/lines.
type CountEntries struct {
	Lines []CountEntry `json:"lines"`
}

// lockOpenCount share-locks an open count for the rest of tx, so posting waits for entries being
// saved (and entries arriving after a post find it no longer open: 409).
func lockOpenCount(tx *gorm.DB, actor models.Actor, id uuid.UUID) (models.StockCount, error) {
	var c models.StockCount
	if err := tx.Raw(`SELECT * FROM stock_counts WHERE id = ? FOR SHARE`, id).Scan(&c).Error; err != nil {
		return c, err
	}
	if c.ID == uuid.Nil || !actor.CanAt("inventory.view", c.StoreID) {
		return c, models.NotFound("stock count")
	}
	if !actor.CanAt("inventory.adjust", c.StoreID) {
		return c, models.Forbidden("You may not count the stock of that store")
	}
	if c.Status != models.CountOpen {
		return c, models.Conflict("stock count %s is %s; it can no longer be changed", c.Number, c.Status)
	}
	return c, nil
}

// EnterCounts records counted quantities and returns the lines it changed.
func (s *Service) EnterCounts(ctx context.Context, actor models.Actor, id uuid.UUID, in CountEntries) ([]CountLineRow, error) {
	if len(in.Lines) == 0 {
		return nil, models.FieldError("lines", "enter at least one counted quantity")
	}
	if len(in.Lines) > 5000 {
		return nil, models.FieldError("lines", "at most 5000 entries at a time")
	}
	var out []CountLineRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := lockOpenCount(tx, actor, id)
		if err != nil {
			return err
		}
		ids, err := resolveEntries(tx, c, in.Lines)
		if err != nil {
			return err
		}
		var userID *uuid.UUID
		if actor.UserID != uuid.Nil {
			uid := actor.UserID
			userID = &uid
		}
		touched := map[uuid.UUID]bool{}
		var changed []uuid.UUID
		e := models.Invalid()
		for i, l := range in.Lines {
			var res *gorm.DB
			if l.Counted != nil {
				res = tx.Exec(`UPDATE stock_count_lines SET counted = ?, counted_at = now(), counted_by = ?
					WHERE stock_count_id = ? AND product_id = ?`, *l.Counted, userID, c.ID, ids[i])
			} else {
				add := int64(1000)
				if l.Add != nil {
					add = *l.Add
				}
				res = tx.Exec(`UPDATE stock_count_lines SET counted = coalesce(counted, 0) + ?, counted_at = now(), counted_by = ?
					WHERE stock_count_id = ? AND product_id = ? AND coalesce(counted, 0) + ? >= 0`, add, userID, c.ID, ids[i], add)
			}
			if res.Error != nil {
				return fmt.Errorf("enter count: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				e.Add(fmt.Sprintf("lines[%d].add", i), "would make the counted quantity negative")
			}
			if !touched[ids[i]] {
				touched[ids[i]] = true
				changed = append(changed, ids[i])
			}
		}
		if err := e.Err(); err != nil {
			return err
		}
		if out, err = s.countLines(tx, c, changed); err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "stock_count.enter", "stock_count", c.ID, nil, map[string]any{"entries": in.Lines})
	})
	return out, err
}

// resolveEntries finds each entry's product among the count's lines, naming the entry when it
// cannot: a malformed or unknown product, or one the count does not cover.
func resolveEntries(tx *gorm.DB, c models.StockCount, entries []CountEntry) ([]uuid.UUID, error) {
	e := models.Invalid()
	ids := make([]uuid.UUID, len(entries))
	for i, l := range entries {
		field := fmt.Sprintf("lines[%d]", i)
		switch {
		case l.Counted != nil && l.Add != nil:
			e.Add(field+".counted", "give either counted or add, not both")
		case l.Counted != nil && *l.Counted < 0:
			e.Add(field+".counted", "must be zero or more")
		}
		var pid uuid.UUID
		switch code := strings.TrimSpace(l.Barcode); {
		case strings.TrimSpace(l.ProductID) != "":
			id, err := uuid.Parse(strings.TrimSpace(l.ProductID))
			if err != nil {
				e.Add(field+".productId", "must be a valid id")
				continue
			}
			pid = id
		case code != "":
			p, err := productByCode(tx, code)
			if err != nil {
				return nil, err
			}
			if p == nil {
				e.Add(field+".barcode", "no product has barcode or SKU "+code)
				continue
			}
			pid = p.ID
		default:
			e.Add(field+".productId", "give a productId or a barcode")
			continue
		}
		var n int64
		if err := tx.Table("stock_count_lines").Where("stock_count_id = ? AND product_id = ?", c.ID, pid).Count(&n).Error; err != nil {
			return nil, err
		}
		if n == 0 {
			e.Add(field+".productId", "is not part of this count")
			continue
		}
		ids[i] = pid
	}
	return ids, e.Err()
}

// finish moves an open count to status, 409 when it is no longer open (posted or abandoned by
// someone else first).
func finish(tx *gorm.DB, actor models.Actor, id uuid.UUID, status string) (models.StockCount, error) {
	var c models.StockCount
	if err := tx.Take(&c, "id = ?", id).Error; err != nil {
		return c, models.NotFoundIf(err, "stock count")
	}
	if !actor.CanAt("inventory.view", c.StoreID) {
		return c, models.NotFound("stock count")
	}
	if !actor.CanAt("inventory.adjust", c.StoreID) {
		return c, models.Forbidden("You may not count the stock of that store")
	}
	var userID *uuid.UUID
	if actor.UserID != uuid.Nil {
		uid := actor.UserID
		userID = &uid
	}
	var moved []models.StockCount
	err := tx.Raw(`UPDATE stock_counts SET status = ?, finished_at = now(), finished_by = ?, updated_at = now()
		WHERE id = ? AND status = 'open' RETURNING *`, status, userID, id).Scan(&moved).Error
	if err != nil {
		return c, fmt.Errorf("finish count: %w", err)
	}
	if len(moved) == 0 {
		return c, models.Conflict("stock count %s is already %s", c.Number, currentStatus(tx, id))
	}
	return moved[0], nil
}

func currentStatus(tx *gorm.DB, id uuid.UUID) string {
	var st string
	tx.Raw(`SELECT status FROM stock_counts WHERE id = ?`, id).Scan(&st)
	return st
}

// PostCount closes an open count and applies each counted line's variance as a count movement.
func (s *Service) PostCount(ctx context.Context, actor models.Actor, id uuid.UUID) (CountDetail, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := finish(tx, actor, id, models.CountPosted)
		if err != nil {
			return err
		}
		var lines []models.StockCountLine
		if err := tx.Where("stock_count_id = ? AND counted IS NOT NULL AND counted <> expected", c.ID).Find(&lines).Error; err != nil {
			return err
		}
		changes := make([]Change, 0, len(lines))
		for _, l := range lines {
			ref := c.ID
			changes = append(changes, Change{StoreID: c.StoreID, ProductID: l.ProductID, Delta: *l.Counted - l.Expected,
				Type: models.MoveCount, Reason: "Stock count " + c.Number, ReferenceType: "stock_count", ReferenceID: &ref,
				IdempotencyKey: "stock_count:" + c.ID.String() + ":" + l.ProductID.String()})
		}
		if _, err := s.ledger.Apply(ctx, tx, actor, changes...); err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "stock_count.post", "stock_count", c.ID, map[string]any{"status": models.CountOpen},
			map[string]any{"status": c.Status, "movements": len(changes)})
	})
	if err != nil {
		return CountDetail{}, err
	}
	return s.Count(ctx, actor, id, LineFilter{})
}

// AbandonCount closes an open count without changing any stock.
func (s *Service) AbandonCount(ctx context.Context, actor models.Actor, id uuid.UUID) (CountDetail, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := finish(tx, actor, id, models.CountAbandoned)
		if err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "stock_count.abandon", "stock_count", c.ID, map[string]any{"status": models.CountOpen},
			map[string]any{"status": c.Status})
	})
	if err != nil {
		return CountDetail{}, err
	}
	return s.Count(ctx, actor, id, LineFilter{})
}
