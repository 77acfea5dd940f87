// Package sales records POS sales, refunds and voids: it rechecks the POS's arithmetic, takes
// the payments, and moves stock through the inventory ledger in the same transaction.
package sales

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/app/inventory"
	"backroom/app/linemath"
	"backroom/models"
)

// Service runs the sales rules on the database.
type Service struct {
	db     *gorm.DB
	ledger *inventory.Ledger
	hooks  []Hook
	now    func() time.Time
}

// New returns the sales service, on the wall clock. Stock moves through ledger; hooks run, in
// order, for every sale or refund recorded (see Hook). The composition root (app.New) passes the
// app's ledger and hooks; seeds and tests that need no outside system to hear pass none.
func New(db *gorm.DB, ledger *inventory.Ledger, hooks ...Hook) *Service {
	return &Service{db: db, ledger: ledger, hooks: append([]Hook(nil), hooks...), now: time.Now}
}

// At returns a copy of the service whose clock reads t: a sale recorded without soldAt is sold
// at t and a void is dated t. Replaying a till's past (the demo seed's sales history) uses it;
// requests always run on the wall clock.
func (s *Service) At(t time.Time) *Service {
	c := *s
	c.now = func() time.Time { return t }
	return &c
}

// product is what a sale needs to know about a product.
type product struct {
	ID         uuid.UUID
	SKU        string `gorm:"column:sku"`
	Name       string
	TrackStock bool
	TaxGroupID *uuid.UUID
}

// Create records a sale or a refund (a sale with negative quantities and originalSaleId) with
// its lines, line taxes, payments and stock movements, all in one transaction. The server
// recomputes every figure; a client figure that disagrees is a 422 naming the field.
func (s *Service) Create(ctx context.Context, actor models.Actor, in SaleInput) (*models.Sale, error) {
	var sale *models.Sale
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		sale, err = s.CreateTx(ctx, tx, actor, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sale, nil
}

// CreateTx records a sale as Create does, inside the caller's transaction tx, so what the caller
// wrote first (the sale's new customer, say) commits or rolls back with the sale.
func (s *Service) CreateTx(ctx context.Context, tx *gorm.DB, actor models.Actor, in SaleInput) (*models.Sale, error) {
	return s.CreateWithIDTx(ctx, tx, actor, models.NewID(), in)
}

// CreateWithIDTx records a sale under the id given: a store server's sale keeps the id its
// store gave it, so refunds and voids that name it find it at head office too. Inside the
// caller's transaction; an id already recorded is a 409.
func (s *Service) CreateWithIDTx(ctx context.Context, tx *gorm.DB, actor models.Actor, saleID uuid.UUID, in SaleInput) (*models.Sale, error) {
	id, e := in.parse()
	if id.store != nil && !actor.CanAt("pos.sell", *id.store) {
		return nil, models.Forbidden("You may not sell at that store (pos.sell)")
	}
	if err := e.Err(); err != nil {
		return nil, err
	}
	return s.create(ctx, tx, actor, saleID, in, id)
}

func (s *Service) create(ctx context.Context, tx *gorm.DB, actor models.Actor, saleID uuid.UUID, in SaleInput, id ids) (*models.Sale, error) {
	tx = tx.WithContext(ctx)
	e := models.Invalid()
	var store models.Store
	if err := tx.Take(&store, "id = ?", *id.store).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.FieldError("storeId", "unknown store")
		}
		return nil, err
	}
	cashier := id.cashier
	if cashier == nil {
		cashier = actor.UserRef()
	} else {
		if ok, err := rowExists(tx, "users", *cashier); err != nil {
			return nil, err
		} else if !ok {
			e.Add("cashierId", "unknown user")
		}
	}

	products, err := loadProducts(tx, id.products)
	if err != nil {
		return nil, err
	}
	groupTaxes, err := loadGroupTaxes(tx, in.Items, id.products, products)
	if err != nil {
		return nil, err
	}
	tenders, err := loadTenders(tx, in.Payments)
	if err != nil {
		return nil, err
	}
	p := plan(in, id, products, groupTaxes, tenders, e)
	if err := e.Err(); err != nil {
		return nil, err
	}

	var original *models.Sale
	if id.original != nil {
		if original, err = checkRefund(tx, store.ID, *id.original, in.Items, id.products); err != nil {
			return nil, err
		}
	}

	var sessionID *uuid.UUID
	if in.TerminalID != "" {
		sess, err := models.OpenRegisterSession(ctx, tx, store.ID, in.TerminalID)
		if err != nil {
			return nil, err
		}
		if sess != nil {
			sessionID = &sess.ID
		}
	}
	soldAt := s.now().UTC()
	if in.SoldAt != nil && !in.SoldAt.IsZero() {
		soldAt = in.SoldAt.UTC()
	}
	sale := models.Sale{
		ID: saleID, StoreID: store.ID, ReceiptNumber: in.ReceiptNumber, TerminalID: in.TerminalID,
		RegisterSessionID: sessionID, CashierID: cashier, CustomerID: id.customer, SalesRepID: id.salesRep,
		Status: models.SaleCompleted, IsRefund: original != nil, OriginalSaleID: id.original,
		Subtotal: p.totals.Subtotal, DiscountTotal: p.totals.DiscountTotal, TaxTotal: p.totals.TaxTotal,
		GrandTotal: p.totals.GrandTotal, PaidTotal: p.paid, ChangeDue: p.change, SoldAt: soldAt,
	}
	if err := tx.Omit(clause.Associations).Create(&sale).Error; err != nil {
		if models.IsUniqueViolation(err, "sales_receipt_number_key") {
			return nil, models.Conflict("receipt number %s is already used at %s", sale.ReceiptNumber, store.Name)
		}
		if models.IsUniqueViolation(err, "sales_pkey") {
			return nil, models.Conflict("a sale with id %s is already recorded", sale.ID)
		}
		return nil, fmt.Errorf("insert sale: %w", err)
	}
	for i := range p.items {
		p.items[i].SaleID = sale.ID
	}
	if err := tx.Create(&p.items).Error; err != nil { // the line taxes go with their lines
		return nil, fmt.Errorf("insert sale lines: %w", err)
	}
	for i := range p.payments {
		p.payments[i].SaleID = sale.ID
	}
	if len(p.payments) > 0 {
		if err := tx.Create(&p.payments).Error; err != nil {
			return nil, fmt.Errorf("insert payments: %w", err)
		}
	}
	moveType, verb := models.MoveSale, "Sale"
	if sale.IsRefund {
		moveType, verb = models.MoveRefund, "Refund"
	}
	var changes []inventory.Change
	for _, it := range p.items {
		if !products[it.ProductID].TrackStock {
			continue
		}
		changes = append(changes, inventory.Change{
			StoreID: store.ID, ProductID: it.ProductID, Delta: -it.Quantity, Type: moveType,
			Reason: verb + " " + sale.ReceiptNumber, ReferenceType: "sale", ReferenceID: &sale.ID,
		})
	}
	if _, err := s.ledger.Apply(ctx, tx, actor, changes...); err != nil {
		return nil, err
	}
	action := "sale.create"
	if sale.IsRefund {
		action = "sale.refund"
	}
	if err := models.Audit(ctx, tx, actor, action, "sale", sale.ID, nil, sale); err != nil {
		return nil, err
	}
	sale.Items, sale.Payments = p.items, p.payments
	if err := s.recorded(ctx, tx, &sale); err != nil {
		return nil, err
	}
	return &sale, nil
}

// computed is a sale as the server works it out from the input.
type computed struct {
	totals   linemath.Totals
	items    []models.SaleItem
	payments []models.SalePayment
	paid     int64
	change   int64
}

// plan recomputes every line and total with linemath, compares them with the client's figures
// and checks the payments, adding every disagreement to e.
func plan(in SaleInput, id ids, products map[uuid.UUID]product, groupTaxes map[uuid.UUID][]linemath.Tax, tenders map[string]models.Tender, e *models.Error) computed {
	var c computed
	refund := id.original != nil
	lines := make([]linemath.Line, len(in.Items))
	orders := make([][]int, len(in.Items)) // orders[i][k] = index in the input of the k-th tax applied
	for i, it := range in.Items {
		f := itemField(i)
		pr, ok := products[id.products[i]]
		if !ok {
			if id.products[i] != uuid.Nil {
				e.Add(f("productId"), "unknown product")
			}
			continue
		}
		var taxes []linemath.Tax
		if it.Taxes == nil {
			if pr.TaxGroupID != nil {
				taxes = groupTaxes[*pr.TaxGroupID]
			}
		} else {
			order := make([]int, len(it.Taxes))
			for j := range order {
				order[j] = j
			}
			sort.SliceStable(order, func(a, b int) bool { return it.Taxes[order[a]].SortOrder < it.Taxes[order[b]].SortOrder })
			orders[i] = order
			for _, j := range order {
				t := it.Taxes[j]
				taxes = append(taxes, linemath.Tax{Name: strings.TrimSpace(t.TaxRateName), Rate: t.Rate, Compound: t.IsCompound, SortOrder: t.SortOrder})
			}
		}
		if (refund && it.DiscountAmount > 0) || (!refund && it.DiscountAmount < 0) {
			e.Add(f("discountAmount"), "must have the same sign as the line (negative on a refund)")
		}
		lines[i] = linemath.Line{Quantity: it.Quantity, UnitPrice: it.UnitPrice, Discount: it.DiscountAmount, Taxes: taxes}
	}
	if len(e.Fields) > 0 {
		return c
	}
	totals, err := linemath.ComputeSale(lines)
	if err != nil {
		var le *linemath.LineError
		switch {
		case errors.As(err, &le) && errors.Is(err, linemath.ErrDiscountExceedsGross):
			e.Add(itemField(le.Index)("discountAmount"), "is larger than the line's price × quantity")
		case errors.As(err, &le):
			e.Add(itemField(le.Index)("quantity"), "the line's amounts are out of range")
		default:
			e.Add("grandTotal", "the sale's amounts are out of range")
		}
		return c
	}
	c.totals = totals
	for i, it := range in.Items {
		f := itemField(i)
		r := totals.Lines[i]
		pr := products[id.products[i]]
		if it.TaxAmount != r.TaxTotal {
			e.Add(f("taxAmount"), fmt.Sprintf("is %d but the line's taxes come to %d", it.TaxAmount, r.TaxTotal))
		}
		if it.LineTotal != r.Total {
			e.Add(f("lineTotal"), fmt.Sprintf("is %d but the line comes to %d", it.LineTotal, r.Total))
		}
		for k, j := range orders[i] {
			if it.Taxes[j].TaxAmount != r.Taxes[k].Amount {
				e.Add(taxField(i, j), fmt.Sprintf("is %d but %s at %d bp on %d comes to %d", it.Taxes[j].TaxAmount, r.Taxes[k].Name, r.Taxes[k].Rate, r.Taxes[k].Base, r.Taxes[k].Amount))
			}
		}
		name := strings.TrimSpace(it.ProductName)
		if name == "" {
			name = pr.Name
		}
		item := models.SaleItem{
			ID: models.NewID(), LineNo: i + 1, ProductID: pr.ID, ProductName: name, SKU: pr.SKU,
			Quantity: it.Quantity, UnitPrice: it.UnitPrice, DiscountAmount: r.Discount,
			TaxAmount: r.TaxTotal, LineTotal: r.Total, Taxes: []models.SaleItemTax{},
		}
		for _, t := range r.Taxes {
			item.TaxRate += t.Rate
			item.Taxes = append(item.Taxes, models.SaleItemTax{
				ID: models.NewID(), TaxRateName: t.Name, Rate: t.Rate, IsCompound: t.Compound,
				SortOrder: t.SortOrder, Taxable: t.Base, TaxAmount: t.Amount,
			})
		}
		c.items = append(c.items, item)
	}
	for _, chk := range []struct {
		field       string
		client, got int64
	}{
		{"subtotal", in.Subtotal, totals.Subtotal},
		{"discountTotal", in.DiscountTotal, totals.DiscountTotal},
		{"taxTotal", in.TaxTotal, totals.TaxTotal},
		{"grandTotal", in.GrandTotal, totals.GrandTotal},
	} {
		if chk.client != chk.got {
			e.Add(chk.field, fmt.Sprintf("is %d but the lines come to %d", chk.client, chk.got))
		}
	}
	c.payments, c.paid, c.change = checkPayments(in.Payments, tenders, totals.GrandTotal, refund, e)
	return c
}

// checkPayments checks each tender and that the payments settle the grand total: a sale's
// payments must cover it, and only cash may go over (the excess is change); a refund gives back
// exactly its (negative) grand total.
func checkPayments(in []PaymentInput, tenders map[string]models.Tender, grand int64, refund bool, e *models.Error) (out []models.SalePayment, paid, change int64) {
	var cash int64
	for i, p := range in {
		code := strings.ToUpper(strings.TrimSpace(p.Method))
		t, ok := tenders[code]
		switch {
		case code == "":
			continue // already reported
		case !ok:
			e.Add(paymentField(i)("method"), "unknown tender "+code)
			continue
		case !t.IsActive:
			e.Add(paymentField(i)("method"), "tender "+code+" is not active")
			continue
		}
		paid += p.Amount
		if t.Type == "CASH" {
			cash += p.Amount
		}
		var ref *string
		if p.Reference != nil && strings.TrimSpace(*p.Reference) != "" {
			r := strings.TrimSpace(*p.Reference)
			ref = &r
		}
		out = append(out, models.SalePayment{ID: models.NewID(), LineNo: i + 1, TenderID: t.ID, Method: t.Code, TenderType: t.Type, Amount: p.Amount, Reference: ref})
	}
	if len(out) != len(in) {
		return out, paid, 0
	}
	switch {
	case refund && paid != grand:
		e.Add("payments", fmt.Sprintf("a refund must give back exactly its grand total (%d); the payments total %d", grand, paid))
	case !refund && paid < grand:
		e.Add("payments", fmt.Sprintf("the payments total %d, less than the grand total %d", paid, grand))
	case !refund && paid > grand:
		change = paid - grand
		if cash == 0 {
			e.Add("payments", fmt.Sprintf("the payments total %d, more than the grand total %d; only cash can be overpaid", paid, grand))
		} else if change > cash {
			e.Add("payments", fmt.Sprintf("the change due (%d) is more than the cash tendered (%d)", change, cash))
		}
	}
	return out, paid, change
}

// checkRefund locks the original sale (so two refunds of it queue up) and checks that no
// product comes back more often than it was sold, less what earlier refunds returned.
func checkRefund(tx *gorm.DB, storeID, originalID uuid.UUID, items []ItemInput, productIDs []uuid.UUID) (*models.Sale, error) {
	var orig models.Sale
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&orig, "id = ? AND store_id = ?", originalID, storeID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.FieldError("originalSaleId", "no such sale at this store")
	}
	if err != nil {
		return nil, err
	}
	switch {
	case orig.IsRefund:
		return nil, models.FieldError("originalSaleId", "is itself a refund")
	case orig.Status != models.SaleCompleted:
		return nil, models.FieldError("originalSaleId", "sale "+orig.ReceiptNumber+" was voided")
	}
	type qty struct {
		ProductID uuid.UUID
		Quantity  int64
	}
	var sold, returned []qty
	if err := tx.Model(&models.SaleItem{}).Select("product_id, sum(quantity) AS quantity").
		Where("sale_id = ?", orig.ID).Group("product_id").Scan(&sold).Error; err != nil {
		return nil, err
	}
	if err := tx.Table("sale_items si").Select("si.product_id, -sum(si.quantity) AS quantity").
		Joins("JOIN sales s ON s.id = si.sale_id").
		Where("s.original_sale_id = ? AND s.status = ?", orig.ID, models.SaleCompleted).
		Group("si.product_id").Scan(&returned).Error; err != nil {
		return nil, err
	}
	left := map[uuid.UUID]int64{}
	for _, q := range sold {
		left[q.ProductID] = q.Quantity
	}
	for _, q := range returned {
		left[q.ProductID] -= q.Quantity
	}
	e := models.Invalid()
	for i, it := range items {
		remaining, ok := left[productIDs[i]]
		if !ok {
			e.Add(itemField(i)("productId"), "was not sold on "+orig.ReceiptNumber)
			continue
		}
		left[productIDs[i]] = remaining + it.Quantity // it.Quantity is negative
		if remaining+it.Quantity < 0 {
			e.Add(itemField(i)("quantity"), fmt.Sprintf("only %d of this product can still be returned from %s", max(remaining, 0), orig.ReceiptNumber))
		}
	}
	if err := e.Err(); err != nil {
		return nil, err
	}
	return &orig, nil
}

func loadProducts(tx *gorm.DB, ids []uuid.UUID) (map[uuid.UUID]product, error) {
	var list []product
	want := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if id != uuid.Nil {
			want = append(want, id)
		}
	}
	out := map[uuid.UUID]product{}
	if len(want) == 0 {
		return out, nil
	}
	if err := tx.Table("products").Select("id, sku, name, track_stock, tax_group_id").Where("id IN ?", want).Scan(&list).Error; err != nil {
		return nil, err
	}
	for _, p := range list {
		out[p.ID] = p
	}
	return out, nil
}

// loadGroupTaxes reads the current active rates of the tax groups of lines that came without a
// taxes array, in the order they apply.
func loadGroupTaxes(tx *gorm.DB, items []ItemInput, ids []uuid.UUID, products map[uuid.UUID]product) (map[uuid.UUID][]linemath.Tax, error) {
	groups := map[uuid.UUID]bool{}
	for i, it := range items {
		if p, ok := products[ids[i]]; ok && it.Taxes == nil && p.TaxGroupID != nil {
			groups[*p.TaxGroupID] = true
		}
	}
	out := map[uuid.UUID][]linemath.Tax{}
	if len(groups) == 0 {
		return out, nil
	}
	list := make([]uuid.UUID, 0, len(groups))
	for g := range groups {
		list = append(list, g)
	}
	var rows []struct {
		TaxGroupID uuid.UUID
		Name       string
		Rate       int64
		IsCompound bool
		SortOrder  int
	}
	err := tx.Table("tax_group_rates gr").
		Select("gr.tax_group_id, r.name, r.rate, r.is_compound, gr.sort_order").
		Joins("JOIN tax_rates r ON r.id = gr.tax_rate_id").
		Where("gr.tax_group_id IN ? AND r.is_active", list).
		Order("gr.tax_group_id, gr.sort_order, r.name").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.TaxGroupID] = append(out[r.TaxGroupID], linemath.Tax{Name: r.Name, Rate: r.Rate, Compound: r.IsCompound, SortOrder: r.SortOrder})
	}
	return out, nil
}

// loadTenders reads the tenders named by the payments, keyed by upper-case code.
func loadTenders(tx *gorm.DB, payments []PaymentInput) (map[string]models.Tender, error) {
	codes := []string{}
	for _, p := range payments {
		if c := strings.ToUpper(strings.TrimSpace(p.Method)); c != "" {
			codes = append(codes, c)
		}
	}
	out := map[string]models.Tender{}
	if len(codes) == 0 {
		return out, nil
	}
	var list []models.Tender
	if err := tx.Where("upper(code) IN ?", codes).Find(&list).Error; err != nil {
		return nil, err
	}
	for _, t := range list {
		out[strings.ToUpper(t.Code)] = t
	}
	return out, nil
}

func rowExists(tx *gorm.DB, table string, id uuid.UUID) (bool, error) {
	var n int64
	err := tx.Table(table).Where("id = ?", id).Count(&n).Error
	return n > 0, err
}

// Void marks a completed sale (or refund) voided and puts its stock movements back. The
// transition is one UPDATE … WHERE status = 'completed': a second void is a 409. A sale whose
// register session has been closed is refused (its Z report is final; refund it instead), and
// so is a sale with refunds still standing (void those first, or stock would come back twice).
func (s *Service) Void(ctx context.Context, actor models.Actor, saleID uuid.UUID, reason string) (*models.Sale, error) {
	var sale *models.Sale
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		sale, err = s.VoidTx(ctx, tx, actor, saleID, reason)
		return err
	})
	return sale, err
}

// VoidTx voids a sale as Void does, inside the caller's transaction.
func (s *Service) VoidTx(ctx context.Context, tx *gorm.DB, actor models.Actor, saleID uuid.UUID, reason string) (*models.Sale, error) {
	tx = tx.WithContext(ctx)
	reason = strings.TrimSpace(reason)
	var sale models.Sale
	err := func() error {
		if err := tx.Take(&sale, "id = ?", saleID).Error; err != nil {
			return models.NotFoundIf(err, "sale")
		}
		if !actor.CanAt("pos.void", sale.StoreID) {
			if !actor.CanAt("pos.sell", sale.StoreID) {
				return models.NotFound("sale")
			}
			return models.Forbidden("You may not void sales at this store (pos.void)")
		}
		if reason == "" {
			return models.FieldError("reason", "say why the sale is voided")
		}
		if len(reason) > 200 {
			return models.FieldError("reason", "must be at most 200 characters")
		}
		now := s.now().UTC()
		res := tx.Model(&models.Sale{}).Where("id = ? AND status = ?", sale.ID, models.SaleCompleted).
			Updates(map[string]any{"status": models.SaleVoided, "void_reason": reason, "voided_at": now, "voided_by": actorID(actor), "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Conflict("sale %s is already voided", sale.ReceiptNumber)
		}
		if sale.RegisterSessionID != nil {
			var sess models.RegisterSession
			if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Take(&sess, "id = ?", *sale.RegisterSessionID).Error; err != nil {
				return err
			}
			if sess.Status != models.RegisterOpen {
				return models.Conflict("sale %s belongs to a register session closed with %s; refund it instead", sale.ReceiptNumber, deref(sess.ZNumber))
			}
		}
		if !sale.IsRefund {
			var refunds int64
			if err := tx.Model(&models.Sale{}).Where("original_sale_id = ? AND status = ?", sale.ID, models.SaleCompleted).Count(&refunds).Error; err != nil {
				return err
			}
			if refunds > 0 {
				return models.Conflict("sale %s has refunds; void them first", sale.ReceiptNumber)
			}
		}
		var moved []models.InventoryMovement
		if err := tx.Where("reference_type = ? AND reference_id = ? AND type IN ?", "sale", sale.ID, []string{models.MoveSale, models.MoveRefund}).
			Find(&moved).Error; err != nil {
			return err
		}
		changes := make([]inventory.Change, 0, len(moved))
		for _, m := range moved {
			changes = append(changes, inventory.Change{
				StoreID: m.StoreID, ProductID: m.ProductID, Delta: -m.Quantity, Type: models.MoveVoid,
				Reason: "Void " + sale.ReceiptNumber + ": " + reason, ReferenceType: "sale", ReferenceID: &sale.ID,
			})
		}
		if _, err := s.ledger.Apply(ctx, tx, actor, changes...); err != nil {
			return err
		}
		before := sale
		sale.Status, sale.VoidReason, sale.VoidedAt, sale.VoidedBy = models.SaleVoided, reason, &now, actorID(actor)
		return models.Audit(ctx, tx, actor, "sale.void", "sale", sale.ID, before, sale)
	}()
	if err != nil {
		return nil, err
	}
	return &sale, nil
}

func actorID(a models.Actor) *uuid.UUID {
	if a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
