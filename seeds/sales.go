package seeds

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/inventory"
	"backroom/app/linemath"
	"backroom/app/registers"
	"backroom/app/sales"
	"backroom/models"
)

// The sales history gives a fresh demo two weeks of trade at the three shops, so the dashboard,
// the sales list, the registers' X and Z reports and every report have figures. Everything goes
// through the sales and registers services (stock moves through the ledger, Z numbers come from
// the counters, audit rows are written) with their clocks set to the moment being replayed.
// A fixed random seed makes two fresh databases hold the same sales; only the times of today's
// sales depend on when the seed runs, since nothing may be sold in the future.

const (
	// SalesHistoryDays is how many days of sales the demo has, ending today.
	SalesHistoryDays = 14
	// SalesReceiptPrefix starts every demo receipt number; its presence marks the history as loaded.
	SalesReceiptPrefix = "DEMO-"
	// SalesHistoryProducts is how many products (the first by SKU, those with opening stock) the
	// history sells. Products past them are never sold by the seed, so tests that need a level
	// or a count nobody else touches use those.
	SalesHistoryProducts = 30

	salesTerminal     = "POS-1"
	salesOpeningHour  = 8  // shops open at 08:00 local time …
	salesClosingHour  = 20 // … and close at 20:00
	salesFloat        = 20000
	salesRestockLevel = 30000 // units on the shelf after the mid-history delivery
	salesRandomSeed   = 20240614
)

// salesShop is one shop the history sells at, with who works its till.
type salesShop struct {
	store   models.Store
	seller  models.Actor // opens and closes the register and rings up most sales
	helper  models.Actor // rings up some sales and voids (pos.void)
	receipt int
	levels  map[uuid.UUID]int64 // simulated stock, to sell mostly what is on the shelf
	sold    []soldSale          // sales that may still be refunded
}

type soldSale struct {
	sale   *models.Sale
	lines  []salesLine
	method string
}

type salesLine struct {
	product  models.Product
	quantity int64
	discount int64
}

// salesHistory holds what every sale needs: the sellable products and their taxes, the
// tenders' codes, customers and reps.
type salesHistory struct {
	rng       *rand.Rand
	products  []models.Product
	taxes     map[uuid.UUID][]linemath.Tax // by tax group
	customers []uuid.UUID
	reps      []uuid.UUID
	now       time.Time
}

// seedSalesHistory records the demo sales once: when any sale with the demo receipt prefix
// exists it does nothing.
func seedSalesHistory(ctx context.Context, tx *gorm.DB) error {
	db := tx.WithContext(ctx)
	var n int64
	if err := db.Model(&models.Sale{}).Where("receipt_number LIKE ?", SalesReceiptPrefix+"%").Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	h := &salesHistory{rng: rand.New(rand.NewSource(salesRandomSeed)), taxes: map[uuid.UUID][]linemath.Tax{}, now: time.Now()}
	err := db.Where("deleted_at IS NULL AND is_active AND track_stock AND tax_group_id IS NOT NULL").
		Order("sku").Limit(SalesHistoryProducts).Find(&h.products).Error
	if err != nil {
		return err
	}
	var tenders int64
	if err := db.Model(&models.Tender{}).Where("code IN ? AND is_active", []string{"CASH", "CARD"}).Count(&tenders).Error; err != nil {
		return err
	}
	if len(h.products) == 0 || tenders < 2 {
		return nil // no catalogue or tenders seeded: nothing to sell
	}
	if err := h.loadTaxes(db); err != nil {
		return err
	}
	if err := db.Model(&models.Customer{}).Where("code IN ?", customerCodes()).Order("code").Pluck("id", &h.customers).Error; err != nil {
		return err
	}
	if err := db.Model(&models.SalesRep{}).Where("code IN ?", []string{"REP-01", "REP-02"}).Order("code").Pluck("id", &h.reps).Error; err != nil {
		return err
	}
	shops, err := h.shops(ctx, db)
	if err != nil {
		return err
	}
	for _, sh := range shops {
		if err := h.trade(ctx, tx, sh); err != nil {
			return fmt.Errorf("seed sales at %s: %w", sh.store.Code, err)
		}
	}
	return nil
}

func customerCodes() []string {
	out := make([]string, len(DemoCustomers))
	for i, c := range DemoCustomers {
		out[i] = c.Code
	}
	return out
}

// loadTaxes reads the active rates of the products' tax groups, in the order they apply: the
// rates the till applies, so each body's figures are what the service computes.
func (h *salesHistory) loadTaxes(db *gorm.DB) error {
	var rows []struct {
		TaxGroupID uuid.UUID
		Name       string
		Rate       int64
		IsCompound bool
		SortOrder  int
	}
	err := db.Table("tax_group_rates gr").Select("gr.tax_group_id, r.name, r.rate, r.is_compound, gr.sort_order").
		Joins("JOIN tax_rates r ON r.id = gr.tax_rate_id").Where("r.is_active").
		Order("gr.tax_group_id, gr.sort_order, r.name").Scan(&rows).Error
	for _, r := range rows {
		h.taxes[r.TaxGroupID] = append(h.taxes[r.TaxGroupID], linemath.Tax{Name: r.Name, Rate: r.Rate, Compound: r.IsCompound, SortOrder: r.SortOrder})
	}
	return err
}

// shops are S001–S003 with their staff: at Downtown the demo cashier sells and the manager
// helps and voids; the other shops have no demo staff, so the administrator works their tills.
func (h *salesHistory) shops(ctx context.Context, db *gorm.DB) ([]*salesShop, error) {
	var stores []models.Store
	if err := db.Where("code IN ?", []string{"S001", "S002", "S003"}).Order("code").Find(&stores).Error; err != nil {
		return nil, err
	}
	actor := func(username string) (models.Actor, error) {
		var u models.User
		if err := db.Where("lower(username) = ?", username).Take(&u).Error; err != nil {
			return models.Actor{}, fmt.Errorf("demo user %s: %w", username, err)
		}
		return models.LoadActor(ctx, db, u.ID)
	}
	admin, err := actor("admin")
	if err != nil {
		return nil, err
	}
	var out []*salesShop
	for _, st := range stores {
		sh := &salesShop{store: st, seller: admin, helper: admin, levels: map[uuid.UUID]int64{}}
		if st.Code == "S001" {
			if sh.seller, err = actor("cashier"); err != nil {
				return nil, err
			}
			if sh.helper, err = actor("manager"); err != nil {
				return nil, err
			}
		}
		var levels []models.InventoryLevel
		if err := db.Where("store_id = ?", st.ID).Find(&levels).Error; err != nil {
			return nil, err
		}
		for _, l := range levels {
			sh.levels[l.ProductID] = l.Quantity
		}
		out = append(out, sh)
	}
	return out, nil
}

// trade replays the shop's days, oldest first: open the till, sell, now and then refund or
// void, and close with the counted cash, except today, whose session stays open for the X report.
func (h *salesHistory) trade(ctx context.Context, tx *gorm.DB, sh *salesShop) error {
	loc := sh.store.Location()
	now := h.now.In(loc)
	for back := SalesHistoryDays - 1; back >= 0; back-- {
		day := time.Date(now.Year(), now.Month(), now.Day()-back, 0, 0, 0, 0, loc)
		open := day.Add(salesOpeningHour * time.Hour)
		closing := day.Add(salesClosingHour * time.Hour)
		if back == 0 { // today: trade only up to now, from midnight if the shop is not open yet
			closing = now
			if now.Before(open.Add(time.Hour)) {
				open = day
			}
		}
		count := 5 + h.rng.Intn(21)
		// One draw per sale whatever the window's length, so the random sequence (and every
		// figure) is the same at any time of day; only today's window shrinks or grows.
		window := int64(closing.Sub(open) / time.Second)
		times := make([]time.Duration, count)
		for i := range times {
			times[i] = time.Duration(window*(h.rng.Int63()>>33)>>30) * time.Second
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		refundAt, voidAt := -1, -1
		if h.rng.Intn(8) == 0 {
			refundAt = h.rng.Intn(count)
		}
		if h.rng.Intn(10) == 0 || (back == 0 && sh.store.Code == "S001") {
			voidAt = h.rng.Intn(count)
		}

		if back == SalesHistoryDays/2 {
			if err := h.restock(ctx, tx, sh); err != nil {
				return err
			}
		}
		session, err := registers.New(tx).At(open).Open(ctx, sh.seller, registers.OpenInput{
			StoreID: sh.store.ID.String(), TerminalID: salesTerminal, OpeningFloat: salesFloat})
		if err != nil {
			return err
		}
		var today []soldSale
		for i, offset := range times {
			at := open.Add(offset)
			if i == refundAt && len(sh.sold) > 0 {
				if err := h.refund(ctx, tx, sh, at); err != nil {
					return err
				}
				continue
			}
			s, err := h.sell(ctx, tx, sh, at)
			if err != nil {
				return err
			}
			today = append(today, s)
			if i == voidAt {
				voidTime := minTime(at.Add(time.Duration(1+h.rng.Intn(5))*time.Minute), now)
				if _, err := sales.New(tx, inventory.NewLedger()).At(voidTime).Void(ctx, sh.helper, s.sale.ID, "Rung up twice"); err != nil {
					return err
				}
				for _, l := range s.lines {
					sh.levels[l.product.ID] += l.quantity
				}
				today = today[:len(today)-1]
			}
		}
		sh.sold = append(sh.sold, today...)
		if back == 0 {
			continue
		}
		x, err := registers.New(tx).XReport(ctx, sh.seller, session.ID)
		if err != nil {
			return err
		}
		counted := x.ExpectedCash
		if h.rng.Intn(5) == 0 { // the drawer is a little off now and then
			counted += int64(h.rng.Intn(11)-7) * 25
		}
		if _, err := registers.New(tx).At(closing.Add(15*time.Minute)).Close(ctx, sh.seller, session.ID, &counted); err != nil {
			return err
		}
	}
	return nil
}

// restock is the mid-history delivery: every product the history sells is brought back up to
// salesRestockLevel at the shop, through the ledger like the opening stock (and keyed the same
// way, so it applies once). Without it two weeks of trade would empty the shelves.
func (h *salesHistory) restock(ctx context.Context, tx *gorm.DB, sh *salesShop) error {
	var changes []inventory.Change
	for _, p := range h.products {
		if delta := salesRestockLevel - sh.levels[p.ID]; delta > 0 {
			changes = append(changes, inventory.Change{StoreID: sh.store.ID, ProductID: p.ID, Delta: delta, Type: models.MoveAdjustment,
				Reason: "Weekly delivery", ReferenceType: "seed", IdempotencyKey: "seed:delivery:" + sh.store.Code + ":" + p.SKU})
			sh.levels[p.ID] += delta
		}
	}
	_, err := inventory.NewLedger().Apply(ctx, tx, models.System, changes...)
	return err
}

// sell rings up one sale of 1–4 lines, mostly of products on the shelf, paid mostly in cash.
func (h *salesHistory) sell(ctx context.Context, tx *gorm.DB, sh *salesShop, at time.Time) (soldSale, error) {
	lines := make([]salesLine, 0, 4)
	used := map[uuid.UUID]bool{}
	// Mostly one or two lines of one unit: two weeks of this roughly sell the opening stock down
	// without emptying the shelves.
	for n := []int{1, 1, 1, 1, 1, 2, 2, 2, 3, 4}[h.rng.Intn(10)]; len(lines) < n; {
		qty := int64([]int{1, 1, 1, 1, 1, 1, 1, 1, 2, 3}[h.rng.Intn(10)]) * 1000
		p := h.pick(sh, qty, used, len(lines) == 0)
		if p == nil {
			break
		}
		used[p.ID] = true
		l := salesLine{product: *p, quantity: qty}
		if h.rng.Intn(20) == 0 { // a 10% markdown
			l.discount = (qty * p.SellPrice / 1000) / 10
		}
		lines = append(lines, l)
	}
	s := soldSale{lines: lines, method: "CASH"}
	in, grand, err := h.body(sh, lines, at)
	if err != nil {
		return s, err
	}
	actor := sh.seller
	if h.rng.Intn(5) == 0 {
		actor = sh.helper
	}
	if h.rng.Intn(10) == 0 && len(h.customers) > 0 {
		id := h.customers[h.rng.Intn(len(h.customers))].String()
		in.CustomerID = &id
	}
	if h.rng.Intn(8) == 0 && len(h.reps) > 0 {
		id := h.reps[h.rng.Intn(len(h.reps))].String()
		in.SalesRepID = &id
	}
	if h.rng.Intn(10) < 3 {
		ref := fmt.Sprintf("AUTH %06d", h.rng.Intn(1000000))
		s.method = "CARD"
		in.Payments = []sales.PaymentInput{{Method: "CARD", Amount: grand, Reference: &ref}}
	} else {
		tendered := grand
		if h.rng.Intn(2) == 0 { // handed a note: change is due
			tendered = (grand/500 + 1) * 500
		}
		in.Payments = []sales.PaymentInput{{Method: "CASH", Amount: tendered}}
	}
	s.sale, err = sales.New(tx, inventory.NewLedger()).Create(ctx, actor, in)
	if err != nil {
		return s, err
	}
	for _, l := range lines {
		sh.levels[l.product.ID] -= l.quantity
	}
	return s, nil
}

// pick chooses a product not yet on the sale: one with more than qty on the shelf, or now and
// then anything (shelves and the system do not always agree, so a few levels go below zero).
// When the shelves are bare the first line still sells something; further lines do not.
func (h *salesHistory) pick(sh *salesShop, qty int64, used map[uuid.UUID]bool, first bool) *models.Product {
	anything := h.rng.Intn(60) == 0
	start := h.rng.Intn(len(h.products))
	for k := range h.products {
		p := &h.products[(start+k)%len(h.products)]
		if !used[p.ID] && (anything || sh.levels[p.ID] > qty) {
			return p
		}
	}
	if !first {
		return nil // a further line only when something is on the shelf
	}
	for k := range h.products {
		if p := &h.products[(start+k)%len(h.products)]; !used[p.ID] {
			return p
		}
	}
	return nil
}

// refund gives back the first line of an earlier sale at the shop, the way it was paid.
func (h *salesHistory) refund(ctx context.Context, tx *gorm.DB, sh *salesShop, at time.Time) error {
	i := len(sh.sold) - 1 - h.rng.Intn(min(len(sh.sold), 20))
	orig := sh.sold[i]
	sh.sold = append(sh.sold[:i], sh.sold[i+1:]...) // refunded once at most
	l := orig.lines[0]
	back := []salesLine{{product: l.product, quantity: -l.quantity, discount: -l.discount}}
	in, grand, err := h.body(sh, back, at)
	if err != nil {
		return err
	}
	id := orig.sale.ID.String()
	in.OriginalSaleID = &id
	in.CustomerID = nullableString(orig.sale.CustomerID)
	in.Payments = []sales.PaymentInput{{Method: orig.method, Amount: grand}}
	if _, err := sales.New(tx, inventory.NewLedger()).Create(ctx, sh.helper, in); err != nil {
		return err
	}
	sh.levels[l.product.ID] += l.quantity
	return nil
}

// body is the sale as the till sends it, its figures worked out with linemath; it returns the
// grand total for the payments.
func (h *salesHistory) body(sh *salesShop, lines []salesLine, at time.Time) (sales.SaleInput, int64, error) {
	calc := make([]linemath.Line, len(lines))
	for i, l := range lines {
		calc[i] = linemath.Line{Quantity: l.quantity, UnitPrice: l.product.SellPrice, Discount: l.discount, Taxes: h.taxes[*l.product.TaxGroupID]}
	}
	tot, err := linemath.ComputeSale(calc)
	if err != nil {
		return sales.SaleInput{}, 0, err
	}
	sh.receipt++
	soldAt := at.UTC()
	in := sales.SaleInput{
		ReceiptNumber: fmt.Sprintf("%s%s-%05d", SalesReceiptPrefix, sh.store.Code, sh.receipt), TerminalID: salesTerminal,
		StoreID: sh.store.ID.String(), Subtotal: tot.Subtotal, TaxTotal: tot.TaxTotal, DiscountTotal: tot.DiscountTotal,
		GrandTotal: tot.GrandTotal, SoldAt: &soldAt,
	}
	for i, l := range lines {
		r := tot.Lines[i]
		item := sales.ItemInput{
			ProductID: l.product.ID.String(), ProductName: l.product.Name, Quantity: l.quantity, UnitPrice: l.product.SellPrice,
			TaxAmount: r.TaxTotal, DiscountAmount: l.discount, LineTotal: r.Total, Taxes: []sales.TaxInput{},
		}
		for _, t := range r.Taxes {
			item.TaxRate += t.Rate
			item.Taxes = append(item.Taxes, sales.TaxInput{TaxRateName: t.Name, Rate: t.Rate, TaxAmount: t.Amount, IsCompound: t.Compound, SortOrder: t.SortOrder})
		}
		in.Items = append(in.Items, item)
	}
	return in, tot.GrandTotal, nil
}

func nullableString(id *uuid.UUID) *string {
	if id == nil {
		return nil
	}
	s := id.String()
	return &s
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
