package sales

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// Filter narrows the sales list. Dates are calendar days (YYYY-MM-DD) in each sale's store
// time zone, both ends included. The query tags are the list's parameters, the same for the API
// and the page (server.BindQuery).
type Filter struct {
	DateFrom string     `query:"date_from,dateFrom"`
	DateTo   string     `query:"date_to,dateTo"`
	StoreID  *uuid.UUID `query:"store_id,storeId"`
	Status   string     `query:"status"` // completed | voided | refund
}

// Statuses the list filter accepts.
var Statuses = []string{models.SaleCompleted, models.SaleVoided, "refund"}

// Row is a sale in a list, with the names a person reads.
type Row struct {
	models.Sale
	StoreCode   string `json:"storeCode"`
	StoreName   string `json:"storeName"`
	CashierName string `json:"cashierName"`
	// SoldAtLocal is soldAt in the store's time zone ("2006-01-02 15:04").
	SoldAtLocal string `json:"soldAtLocal"`
}

// List returns one page of the sales the actor may see (pos.sell at their stores), newest first.
func (s *Service) List(ctx context.Context, actor models.Actor, f Filter, page models.Page) ([]Row, int64, error) {
	q := s.db.WithContext(ctx).Model(&models.Sale{})
	q = actor.ScopeQuery(q, "pos.sell", "sales.store_id")
	e := models.Invalid()
	if f.StoreID != nil {
		q = q.Where("sales.store_id = ?", *f.StoreID)
	}
	switch f.Status {
	case "":
	case models.SaleCompleted, models.SaleVoided:
		q = q.Where("sales.status = ?", f.Status)
	case "refund":
		q = q.Where("sales.is_refund")
	default:
		e.Add("status", "must be one of: "+strings.Join(Statuses, ", "))
	}
	// The local day of a sale depends on its store's zone; the coarse sold_at bound (zones are
	// within ±14 h of UTC) lets the index narrow the scan first.
	const localDay = "(sales.sold_at AT TIME ZONE (SELECT st.time_zone FROM stores st WHERE st.id = sales.store_id))::date"
	if d, ok := parseDay(e, "date_from", f.DateFrom); ok {
		q = q.Where("sales.sold_at >= ? AND "+localDay+" >= ?", d.Add(-15*time.Hour), f.DateFrom)
	}
	if d, ok := parseDay(e, "date_to", f.DateTo); ok {
		q = q.Where("sales.sold_at < ? AND "+localDay+" <= ?", d.Add(39*time.Hour), f.DateTo)
	}
	if err := e.Err(); err != nil {
		return nil, 0, err
	}
	list, total, err := models.Paged[models.Sale](q, page, "sales.sold_at DESC, sales.id DESC")
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.rows(ctx, list)
	return rows, total, err
}

func parseDay(e *models.Error, field, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		e.Add(field, "must be a date like 2024-03-31")
		return time.Time{}, false
	}
	return d, true
}

// rows adds store and cashier names to sales.
func (s *Service) rows(ctx context.Context, list []models.Sale) ([]Row, error) {
	stores, users := map[uuid.UUID]models.Store{}, map[uuid.UUID]string{}
	var storeIDs, userIDs []uuid.UUID
	for _, sl := range list {
		storeIDs = append(storeIDs, sl.StoreID)
		if sl.CashierID != nil {
			userIDs = append(userIDs, *sl.CashierID)
		}
	}
	if len(storeIDs) > 0 {
		var ss []models.Store
		if err := s.db.WithContext(ctx).Where("id IN ?", storeIDs).Find(&ss).Error; err != nil {
			return nil, err
		}
		for _, st := range ss {
			stores[st.ID] = st
		}
	}
	if err := userNames(ctx, s.db, userIDs, users); err != nil {
		return nil, err
	}
	out := make([]Row, len(list))
	for i, sl := range list {
		st := stores[sl.StoreID]
		out[i] = Row{Sale: sl, StoreCode: st.Code, StoreName: st.Name, SoldAtLocal: sl.SoldAt.In(st.Location()).Format("2006-01-02 15:04")}
		if sl.CashierID != nil {
			out[i].CashierName = users[*sl.CashierID]
		}
	}
	return out, nil
}

func userNames(ctx context.Context, db *gorm.DB, ids []uuid.UUID, into map[uuid.UUID]string) error {
	if len(ids) == 0 {
		return nil
	}
	var us []models.User
	if err := db.WithContext(ctx).Select("id, display_name, username").Where("id IN ?", ids).Find(&us).Error; err != nil {
		return err
	}
	for _, u := range us {
		into[u.ID] = u.DisplayName
	}
	return nil
}

// Detail is a sale with its lines, taxes and payments and what surrounds it.
type Detail struct {
	Row
	Store                 models.Store `json:"-"`
	VoidedByName          string       `json:"voidedByName,omitempty"`
	OriginalReceiptNumber string       `json:"originalReceiptNumber,omitempty"`
	Refunds               []SaleRef    `json:"refunds"`
	Customer              *Party       `json:"customer"`
	SalesRep              *Party       `json:"salesRep"`
	ZNumber               string       `json:"zNumber,omitempty"`
	SessionOpen           bool         `json:"-"`
}

// SaleRef links to another sale (a refund of this one).
type SaleRef struct {
	ID            uuid.UUID `json:"id"`
	ReceiptNumber string    `json:"receiptNumber"`
	Status        string    `json:"status"`
	GrandTotal    int64     `json:"grandTotal"`
}

// Party is a customer or sales rep as a receipt prints them.
type Party struct {
	ID    uuid.UUID `json:"id"`
	Code  string    `json:"code,omitempty"`
	Name  string    `json:"name"`
	TaxID string    `json:"taxId,omitempty"`
}

// ItemCount is the number of units on the sale (thousandths), for confirmations.
func (d Detail) ItemCount() int64 {
	var n int64
	for _, it := range d.Items {
		if it.Quantity < 0 {
			n -= it.Quantity
		} else {
			n += it.Quantity
		}
	}
	return n
}

// Get returns one sale the actor may see (pos.sell or pos.void at its store); others are 404.
func (s *Service) Get(ctx context.Context, actor models.Actor, id uuid.UUID) (*Detail, error) {
	db := s.db.WithContext(ctx)
	var sale models.Sale
	err := db.Preload("Items", func(q *gorm.DB) *gorm.DB { return q.Order("line_no") }).
		Preload("Items.Taxes", func(q *gorm.DB) *gorm.DB { return q.Order("sort_order, tax_rate_name") }).
		Preload("Payments", func(q *gorm.DB) *gorm.DB { return q.Order("line_no") }).
		Take(&sale, "id = ?", id).Error
	if err != nil {
		return nil, models.NotFoundIf(err, "sale")
	}
	if !actor.CanAt("pos.sell", sale.StoreID) && !actor.CanAt("pos.void", sale.StoreID) {
		return nil, models.NotFound("sale")
	}
	rows, err := s.rows(ctx, []models.Sale{sale})
	if err != nil {
		return nil, err
	}
	d := &Detail{Row: rows[0], Refunds: []SaleRef{}}
	if err := db.Take(&d.Store, "id = ?", sale.StoreID).Error; err != nil {
		return nil, err
	}
	if sale.VoidedBy != nil {
		names := map[uuid.UUID]string{}
		if err := userNames(ctx, db, []uuid.UUID{*sale.VoidedBy}, names); err != nil {
			return nil, err
		}
		d.VoidedByName = names[*sale.VoidedBy]
	}
	if sale.OriginalSaleID != nil {
		var nums []string
		if err := db.Model(&models.Sale{}).Where("id = ?", *sale.OriginalSaleID).Pluck("receipt_number", &nums).Error; err != nil {
			return nil, err
		}
		if len(nums) > 0 {
			d.OriginalReceiptNumber = nums[0]
		}
	}
	if err := db.Model(&models.Sale{}).Select("id, receipt_number, status, grand_total").
		Where("original_sale_id = ?", sale.ID).Order("sold_at").Scan(&d.Refunds).Error; err != nil {
		return nil, err
	}
	if sale.RegisterSessionID != nil {
		var sess models.RegisterSession
		if err := db.Take(&sess, "id = ?", *sale.RegisterSessionID).Error; err != nil {
			return nil, err
		}
		d.ZNumber, d.SessionOpen = deref(sess.ZNumber), sess.Status == models.RegisterOpen
	} else {
		d.SessionOpen = true
	}
	d.Customer = party(ctx, db, "customers", sale.CustomerID)
	d.SalesRep = party(ctx, db, "sales_reps", sale.SalesRepID)
	return d, nil
}

// party reads a customer or sales rep loosely: those tables belong to another area (and may not
// exist in an older database), so any shape with a code and a name will do.
func party(ctx context.Context, db *gorm.DB, table string, id *uuid.UUID) *Party {
	if id == nil {
		return nil
	}
	p := &Party{ID: *id, Name: "Unknown (" + id.String()[:8] + ")"}
	var exists bool
	if err := db.Raw("SELECT to_regclass(?) IS NOT NULL", "public."+table).Scan(&exists).Error; err != nil || !exists {
		return p
	}
	var raw []string
	if err := db.Raw("SELECT row_to_json(t)::text FROM "+table+" t WHERE t.id = ?", *id).Scan(&raw).Error; err != nil || len(raw) == 0 {
		return p
	}
	var m map[string]any
	if json.Unmarshal([]byte(raw[0]), &m) != nil {
		return p
	}
	str := func(k string) string {
		if v, ok := m[k].(string); ok {
			return strings.TrimSpace(v)
		}
		return ""
	}
	name := strings.TrimSpace(str("first_name") + " " + str("last_name"))
	if name == "" {
		name = str("name")
	}
	if name == "" {
		name = str("display_name")
	}
	if name != "" {
		p.Name = name
	}
	p.Code, p.TaxID = str("code"), str("tax_id")
	return p
}
