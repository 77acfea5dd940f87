package sales

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	salesviews "backroom/views/sales"
)

func (s *Service) mountWeb(web *gin.RouterGroup) {
	web.GET("/sales", server.Require("pos.sell"), s.salesPage)
	web.GET("/sales/:id", server.Require("pos.sell", "pos.void"), s.salePage)
	web.POST("/sales/:id/void", server.Require("pos.void"), s.saleVoidSubmit)
	web.GET("/sales/:id/receipt", server.Require("pos.sell", "pos.void"), s.saleReceiptPage)
	web.GET("/sales/:id/receipt.pdf", server.Require("pos.sell", "pos.void"), s.saleReceiptPDF)
}

const navKey = "sales"

func (s *Service) salesPage(c *gin.Context) {
	ctx, actor := c.Request.Context(), server.Actor(c)
	page, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := server.QueryOf[Filter](c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	l := salesviews.List{Filter: salesviews.Filter{DateFrom: f.DateFrom, DateTo: f.DateTo, Status: f.Status}}
	if f.StoreID != nil {
		l.Filter.StoreID = f.StoreID.String()
	}
	status := http.StatusOK
	rows, total, err := s.List(ctx, actor, f, page)
	if err != nil {
		if !errors.Is(err, models.ErrValidation) {
			server.Fail(c, err)
			return
		}
		status, l.Error, l.Errors = http.StatusUnprocessableEntity, server.Message(err), components.ErrorsOf(err)
	}
	if l.Stores, err = s.storeOptions(ctx, actor, l.Filter.StoreID); err != nil {
		server.Fail(c, err)
		return
	}
	for _, r := range rows {
		l.Rows = append(l.Rows, salesviews.Row{
			ID: r.ID.String(), ReceiptNumber: r.ReceiptNumber, SoldAt: r.SoldAtLocal, Store: r.StoreName,
			TerminalID: r.TerminalID, Cashier: r.CashierName, Status: r.Status, IsRefund: r.IsRefund, GrandTotal: r.GrandTotal,
		})
	}
	l.Pager = components.Pager{Page: page.Page, PageSize: page.PageSize, Total: total, URL: c.Request.URL, Target: "#sales-table"}
	server.RenderPage(c, status, salesviews.ListPage(server.PageOf(c, "Sales", navKey), l), salesviews.Table(l))
}

// storeOptions are the stores the actor may see sales of, for the filter.
func (s *Service) storeOptions(ctx context.Context, actor models.Actor, selected string) ([]components.Option, error) {
	q := actor.ScopeQuery(s.db.WithContext(ctx).Model(&models.Store{}), "pos.sell", "id")
	var stores []models.Store
	if err := q.Order("code").Find(&stores).Error; err != nil {
		return nil, err
	}
	out := []components.Option{{Value: "", Label: "All stores", Selected: selected == ""}}
	for _, st := range stores {
		out = append(out, components.Option{Value: st.ID.String(), Label: st.Code + " · " + st.Name, Selected: selected == st.ID.String()})
	}
	return out, nil
}

// detail loads a sale for its page and works out whether this person may void it now.
func (s *Service) detail(c *gin.Context) (salesviews.Detail, bool) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return salesviews.Detail{}, false
	}
	d, err := s.Get(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return salesviews.Detail{}, false
	}
	return detailView(d, server.Actor(c)), true
}

func detailView(d *Detail, actor models.Actor) salesviews.Detail {
	loc := d.Store.Location()
	v := salesviews.Detail{
		Sale: d.Sale, Store: d.Store, SoldAt: d.SoldAt.In(loc).Format("2006-01-02 15:04 MST"),
		CashierName: d.CashierName, VoidedByName: d.VoidedByName, OriginalReceiptNumber: d.OriginalReceiptNumber,
		ZNumber: d.ZNumber,
	}
	if d.VoidedAt != nil {
		v.VoidedAt = d.VoidedAt.In(loc).Format("2006-01-02 15:04")
	}
	if d.OriginalSaleID != nil {
		v.OriginalID = d.OriginalSaleID.String()
	}
	if d.Customer != nil {
		v.Customer, v.CustomerCode, v.CustomerTaxID = d.Customer.Name, d.Customer.Code, d.Customer.TaxID
	}
	if d.SalesRep != nil {
		v.SalesRep = d.SalesRep.Name
	}
	standingRefunds := false
	for _, r := range d.Refunds {
		v.Refunds = append(v.Refunds, salesviews.Ref{ID: r.ID.String(), ReceiptNumber: r.ReceiptNumber, Status: r.Status, GrandTotal: r.GrandTotal})
		standingRefunds = standingRefunds || r.Status == models.SaleCompleted
	}
	for _, t := range ReceiptOf(d).Taxes {
		v.Taxes = append(v.Taxes, salesviews.TaxLine{Name: t.Name, Rate: t.Rate, Taxable: t.Taxable, Amount: t.Amount})
	}
	if actor.CanAt("pos.void", d.StoreID) && d.Status == models.SaleCompleted {
		switch {
		case !d.SessionOpen:
			v.VoidBlocked = "This sale's register was closed with " + d.ZNumber + "; refund it at the till instead of voiding."
		case standingRefunds:
			v.VoidBlocked = "This sale has refunds; void those first."
		default:
			v.CanVoid = true
		}
	}
	return v
}

func (s *Service) salePage(c *gin.Context) {
	v, ok := s.detail(c)
	if !ok {
		return
	}
	server.Render(c, http.StatusOK, salesviews.DetailPage(server.PageOf(c, v.Kind()+" "+v.Sale.ReceiptNumber, navKey), v))
}

func (s *Service) saleVoidSubmit(c *gin.Context) {
	v, ok := s.detail(c)
	if !ok {
		return
	}
	v.Reason = strings.TrimSpace(c.PostForm("reason"))
	p := server.PageOf(c, v.Kind()+" "+v.Sale.ReceiptNumber, navKey)
	invalid := func(err error) {
		v.Error, v.Errors = server.Message(err), components.ErrorsOf(err)
		server.RenderPage(c, http.StatusUnprocessableEntity, salesviews.DetailPage(p, v), salesviews.VoidForm(p.CSRFToken, v))
	}
	if v.Reason == "" {
		invalid(models.FieldError("reason", "say why the sale is voided"))
		return
	}
	if c.PostForm("confirm") != "yes" {
		server.Render(c, http.StatusOK, salesviews.VoidConfirmPage(p, v))
		return
	}
	items := v.ItemCount()
	sale, err := s.Void(c.Request.Context(), server.Actor(c), v.Sale.ID, v.Reason)
	switch {
	case errors.Is(err, models.ErrValidation):
		invalid(err)
		return
	case errors.Is(err, models.ErrConflict):
		server.Flash(c, "error", server.Message(err))
		server.Redirect(c, "/sales/"+v.Sale.ID.String())
		return
	case err != nil:
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", v.Kind()+" "+sale.ReceiptNumber+" voided; "+items+" item(s) back in stock.")
	server.Redirect(c, "/sales/"+sale.ID.String())
}

func (s *Service) saleReceiptPage(c *gin.Context) {
	v, ok := s.detail(c)
	if !ok {
		return
	}
	server.Render(c, http.StatusOK, salesviews.ReceiptPage(server.PageOf(c, "Receipt "+v.Sale.ReceiptNumber, navKey), v))
}

func (s *Service) saleReceiptPDF(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.Receipt(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	b, err := ReceiptPDF(r)
	if err != nil {
		server.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", `inline; filename="receipt-`+safeName(r.ReceiptNumber)+`.pdf"`)
	c.Data(http.StatusOK, "application/pdf", b)
}

// safeName keeps a receipt number usable in a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
