// Package salestest builds what sales and register tests need on top of the demo data: tenders,
// taxed products with stock, and sale bodies whose figures are worked out with linemath.
package salestest

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"backroom/app/apptest"
	"backroom/app/inventory"
	"backroom/app/linemath"
	"backroom/models"
)

// Fixture is a demo app with a taxed catalogue and tenders.
type Fixture struct {
	*apptest.App
	T       testing.TB
	Admin   string // admin's access token
	Store   models.Store
	Other   models.Store
	Coffee  models.Product // 9.99, State Tax 8.25%
	Muffin  models.Product // 3.50, GST 5% + compound PST 7%
	Service models.Product // 20.00, untaxed, stock not tracked
	Groups  map[uuid.UUID][]linemath.Tax
}

// StartStock is each tracked product's level at both stores before a test sells.
const StartStock = 50_000

// New starts a demo app and adds the fixture's catalogue, tenders and stock.
func New(t testing.TB) *Fixture { return NewWith(t, apptest.Options{}) }

// NewWith is New with options for the app (the demo data is always loaded).
func NewWith(t testing.TB, o apptest.Options) *Fixture {
	t.Helper()
	o.Demo = true
	app := apptest.NewWith(t, o)
	f := &Fixture{App: app, T: t, Groups: map[uuid.UUID][]linemath.Tax{}}
	db := app.DB
	for code, s := range map[string]*models.Store{"S001": &f.Store, "S002": &f.Other} {
		if err := db.Take(s, "code = ?", code).Error; err != nil {
			t.Fatalf("store %s: %v", code, err)
		}
	}
	for i, tn := range []models.Tender{
		{Code: "CASH", Name: "Cash", Type: "CASH", IsActive: true},
		{Code: "CARD", Name: "Card", Type: "CARD", IsActive: true},
		{Code: "VOUCHER", Name: "Paper voucher", Type: "OTHER", IsActive: false},
	} {
		tn.SortOrder = i
		var existing models.Tender
		if err := db.Where("upper(code) = ?", tn.Code).Attrs(tn).FirstOrCreate(&existing).Error; err != nil {
			t.Fatalf("tender %s: %v", tn.Code, err)
		}
		if err := db.Model(&existing).Update("is_active", tn.IsActive).Error; err != nil {
			t.Fatal(err)
		}
	}
	state := f.group("Test state", linemath.Tax{Name: "Test State Tax", Rate: 825})
	gstPst := f.group("Test GST+PST", linemath.Tax{Name: "Test GST", Rate: 500}, linemath.Tax{Name: "Test PST", Rate: 700, Compound: true, SortOrder: 1})
	f.Coffee = f.product("TEST-COFFEE", "Coffee", 999, &state, true)
	f.Muffin = f.product("TEST-MUFFIN", "Muffin", 350, &gstPst, true)
	f.Service = f.product("TEST-GIFTWRAP", "Gift wrapping", 2000, nil, false)
	for _, st := range []models.Store{f.Store, f.Other} {
		for _, p := range []models.Product{f.Coffee, f.Muffin} {
			_, err := app.App.Ledger.Apply(context.Background(), db, models.System, inventory.Change{
				StoreID: st.ID, ProductID: p.ID, Delta: StartStock, Type: models.MoveAdjustment, Reason: "test stock",
			})
			if err != nil {
				t.Fatalf("stock: %v", err)
			}
		}
	}
	f.Admin = app.Login("admin", "1234")
	return f
}

func (f *Fixture) group(name string, taxes ...linemath.Tax) uuid.UUID {
	f.T.Helper()
	g := models.TaxGroup{Name: name}
	if err := f.DB.Create(&g).Error; err != nil {
		f.T.Fatalf("tax group: %v", err)
	}
	for _, tx := range taxes {
		r := models.TaxRate{Name: tx.Name, Rate: tx.Rate, IsCompound: tx.Compound, IsActive: true}
		if err := f.DB.Create(&r).Error; err != nil {
			f.T.Fatalf("tax rate: %v", err)
		}
		if err := f.DB.Create(&models.TaxGroupRate{TaxGroupID: g.ID, TaxRateID: r.ID, SortOrder: tx.SortOrder}).Error; err != nil {
			f.T.Fatalf("tax group rate: %v", err)
		}
	}
	f.Groups[g.ID] = taxes
	return g.ID
}

func (f *Fixture) product(sku, name string, price int64, group *uuid.UUID, track bool) models.Product {
	f.T.Helper()
	p := models.Product{SKU: sku, Name: name, SellPrice: price, CostPrice: price / 2, TaxGroupID: group,
		PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
	if err := f.DB.Create(&p).Error; err != nil {
		f.T.Fatalf("product %s: %v", sku, err)
	}
	if !track { // GORM skips a false bool on create; the column default is true
		if err := f.DB.Model(&p).Update("track_stock", false).Error; err != nil {
			f.T.Fatal(err)
		}
		p.TrackStock = false
	}
	return p
}

// Stock is the level of a product at a store.
func (f *Fixture) Stock(store models.Store, p models.Product) int64 {
	f.T.Helper()
	var q []int64
	if err := f.DB.Model(&models.InventoryLevel{}).Where("store_id = ? AND product_id = ?", store.ID, p.ID).Pluck("quantity", &q).Error; err != nil {
		f.T.Fatal(err)
	}
	if len(q) == 0 {
		return 0
	}
	return q[0]
}

// Line is one line of a sale body to build.
type Line struct {
	Product  models.Product
	Quantity int64 // thousandths; negative on a refund
	Discount int64
}

// Pay is one payment of a sale body.
type Pay struct {
	Method string
	Amount int64
}

// Body builds a sale body whose figures are right (the product's tax group as the line's
// taxes array). Payments default to exact cash.
func (f *Fixture) Body(store models.Store, receipt, terminal string, lines []Line, pays ...Pay) map[string]any {
	f.T.Helper()
	var ll []linemath.Line
	for _, l := range lines {
		var taxes []linemath.Tax
		if l.Product.TaxGroupID != nil {
			taxes = f.Groups[*l.Product.TaxGroupID]
		}
		ll = append(ll, linemath.Line{Quantity: l.Quantity, UnitPrice: l.Product.SellPrice, Discount: l.Discount, Taxes: taxes})
	}
	tot, err := linemath.ComputeSale(ll)
	if err != nil {
		f.T.Fatalf("compute: %v", err)
	}
	items := []map[string]any{}
	for i, l := range lines {
		r := tot.Lines[i]
		taxes := []map[string]any{}
		var rate int64
		for _, t := range r.Taxes {
			rate += t.Rate
			taxes = append(taxes, map[string]any{"taxRateName": t.Name, "rate": t.Rate, "taxAmount": t.Amount, "isCompound": t.Compound, "sortOrder": t.SortOrder})
		}
		items = append(items, map[string]any{
			"productId": l.Product.ID, "productName": l.Product.Name, "quantity": l.Quantity, "unitPrice": l.Product.SellPrice,
			"taxRate": rate, "taxAmount": r.TaxTotal, "discountAmount": l.Discount, "lineTotal": r.Total, "taxes": taxes,
		})
	}
	if len(pays) == 0 {
		pays = []Pay{{"CASH", tot.GrandTotal}}
	}
	payments := []map[string]any{}
	for _, p := range pays {
		payments = append(payments, map[string]any{"method": p.Method, "amount": p.Amount, "reference": nil})
	}
	return map[string]any{
		"receiptNumber": receipt, "terminalId": terminal, "storeId": store.ID,
		"subtotal": tot.Subtotal, "taxTotal": tot.TaxTotal, "discountTotal": tot.DiscountTotal, "grandTotal": tot.GrandTotal,
		"items": items, "payments": payments,
	}
}

// Sale is a created sale as the API answers it.
type Sale struct {
	ID                uuid.UUID  `json:"id"`
	ReceiptNumber     string     `json:"receiptNumber"`
	Status            string     `json:"status"`
	IsRefund          bool       `json:"isRefund"`
	GrandTotal        int64      `json:"grandTotal"`
	TaxTotal          int64      `json:"taxTotal"`
	DiscountTotal     int64      `json:"discountTotal"`
	PaidTotal         int64      `json:"paidTotal"`
	ChangeDue         int64      `json:"changeDue"`
	RegisterSessionID *uuid.UUID `json:"registerSessionId"`
	CashierID         *uuid.UUID `json:"cashierId"`
}

// Sell posts a body and expects it accepted.
func (f *Fixture) Sell(token string, body map[string]any) Sale {
	f.T.Helper()
	var s Sale
	f.Do("POST", "/api/v1/sales", body, token).Expect(f.T, http.StatusCreated).Data(f.T, &s)
	return s
}

// Refund builds and posts a refund of lines (positive quantities given, sent negative) from
// original, giving the money back in cash unless pays say otherwise.
func (f *Fixture) Refund(token string, store models.Store, original uuid.UUID, receipt, terminal string, lines []Line, pays ...Pay) *apptest.Response {
	f.T.Helper()
	neg := make([]Line, len(lines))
	for i, l := range lines {
		neg[i] = Line{Product: l.Product, Quantity: -l.Quantity, Discount: -l.Discount}
	}
	body := f.Body(store, receipt, terminal, neg, pays...)
	body["originalSaleId"] = original
	return f.Do("POST", "/api/v1/sales", body, token)
}
