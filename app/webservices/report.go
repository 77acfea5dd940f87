package webservices

import (
	"context"
	"sort"
	"time"

	"github.com/google/uuid"

	"backroom/models"
)

// Report is one day's sales of a store (or of every store, for a key without one), one row per
// sale, with a totals row. The day is a calendar day in each sale's store time zone.
type Report struct {
	Date      string
	StoreCode string // "" for every store
	StoreName string
	AllStores bool
	Rows      []ReportRow
	Totals    ReportTotals
}

// ReportRow is one sale. Money is cents, Items thousandths of units (negative on a refund).
type ReportRow struct {
	StoreCode     string
	ReceiptNumber string
	Time          string // HH:MM:SS in the store's zone
	Status        string // completed | refund | voided
	Items         int64
	Subtotal      int64
	Discount      int64
	Tax           int64
	Total         int64
	Tenders       []TenderAmount
}

// TenderAmount is what one tender took on a sale (or over the day).
type TenderAmount struct {
	Method string
	Amount int64
}

// ReportTotals adds up the day. Voided sales are listed but not counted: they never happened.
type ReportTotals struct {
	Sales    int
	Items    int64
	Subtotal int64
	Discount int64
	Tax      int64
	Total    int64
	Tenders  []TenderAmount
}

// Report statuses.
const (
	StatusCompleted = "completed"
	StatusRefund    = "refund"
	StatusVoided    = "voided"
)

// localDay is a sale's calendar day in its store's time zone.
const localDay = "(s.sold_at AT TIME ZONE st.time_zone)::date"

// SalesReport builds the report of day (YYYY-MM-DD) for storeID, or every store when nil.
func (s *Service) SalesReport(ctx context.Context, storeID *uuid.UUID, day string) (*Report, error) {
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		return nil, models.FieldError("date", "must be a date like 2024-03-31")
	}
	rep := &Report{Date: day, AllStores: storeID == nil, Rows: []ReportRow{}}
	db := s.db.WithContext(ctx)
	if storeID != nil {
		var st models.Store
		if err := db.Take(&st, "id = ?", *storeID).Error; err != nil {
			return nil, models.NotFoundIf(err, "store")
		}
		rep.StoreCode, rep.StoreName = st.Code, st.Name
	}
	type saleRow struct {
		ID            uuid.UUID
		StoreCode     string
		TimeZone      string
		ReceiptNumber string
		Status        string
		IsRefund      bool
		SoldAt        time.Time
		Items         int64
		Subtotal      int64
		DiscountTotal int64
		TaxTotal      int64
		GrandTotal    int64
	}
	// Zones are within ±14 h of UTC: the coarse sold_at bounds let the index narrow the scan.
	q := db.Table("sales s").Joins("JOIN stores st ON st.id = s.store_id").
		Select(`s.id, st.code AS store_code, st.time_zone, s.receipt_number, s.status, s.is_refund, s.sold_at,
			(SELECT coalesce(sum(i.quantity), 0) FROM sale_items i WHERE i.sale_id = s.id) AS items,
			s.subtotal, s.discount_total, s.tax_total, s.grand_total`).
		Where("s.sold_at >= ? AND s.sold_at < ? AND "+localDay+" = ?", d.Add(-15*time.Hour), d.Add(39*time.Hour), day).
		Order("s.sold_at, st.code, s.receipt_number")
	if storeID != nil {
		q = q.Where("s.store_id = ?", *storeID)
	}
	var sales []saleRow
	if err := q.Scan(&sales).Error; err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(sales))
	for i, sl := range sales {
		ids[i] = sl.ID
	}
	tenders, err := s.saleTenders(ctx, ids)
	if err != nil {
		return nil, err
	}
	dayTenders := map[string]int64{}
	var order []string
	for _, sl := range sales {
		loc, err := time.LoadLocation(sl.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		row := ReportRow{StoreCode: sl.StoreCode, ReceiptNumber: sl.ReceiptNumber, Time: sl.SoldAt.In(loc).Format("15:04:05"),
			Status: StatusCompleted, Items: sl.Items, Subtotal: sl.Subtotal, Discount: sl.DiscountTotal, Tax: sl.TaxTotal,
			Total: sl.GrandTotal, Tenders: tenders[sl.ID]}
		switch {
		case sl.Status == models.SaleVoided:
			row.Status = StatusVoided
		case sl.IsRefund:
			row.Status = StatusRefund
		}
		rep.Rows = append(rep.Rows, row)
		if row.Status == StatusVoided {
			continue
		}
		t := &rep.Totals
		t.Sales++
		t.Items += row.Items
		t.Subtotal += row.Subtotal
		t.Discount += row.Discount
		t.Tax += row.Tax
		t.Total += row.Total
		for _, ta := range row.Tenders {
			if _, ok := dayTenders[ta.Method]; !ok {
				order = append(order, ta.Method)
			}
			dayTenders[ta.Method] += ta.Amount
		}
	}
	sort.Strings(order)
	for _, m := range order {
		rep.Totals.Tenders = append(rep.Totals.Tenders, TenderAmount{Method: m, Amount: dayTenders[m]})
	}
	return rep, nil
}

// saleTenders sums each sale's payments by tender, in the order they were taken.
func (s *Service) saleTenders(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]TenderAmount, error) {
	out := map[uuid.UUID][]TenderAmount{}
	const chunk = 5000
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		var rows []struct {
			SaleID uuid.UUID
			Method string
			Amount int64
		}
		err := s.db.WithContext(ctx).Table("sale_payments").Select("sale_id, method, sum(amount) AS amount").
			Where("sale_id IN ?", part).Group("sale_id, method").Order("sale_id, min(line_no)").Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.SaleID] = append(out[r.SaleID], TenderAmount{Method: r.Method, Amount: r.Amount})
		}
	}
	return out, nil
}
