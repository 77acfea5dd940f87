package registers

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	regviews "backroom/views/registers"
)

// reportFunc is XReport or ZReport.
type reportFunc func(ctx context.Context, actor models.Actor, id uuid.UUID) (*Report, error)

const navKey = "sales"

func (s *Service) mountWeb(web *gin.RouterGroup) {
	web.GET("/registers", server.Require("registers.view"), s.registersPage)
	web.GET("/registers/:id/x-report", server.Require("reports.x_report"), s.xReportPage)
	web.GET("/registers/:id/z-report", server.Require("reports.z_report"), s.zReportPage)
	web.POST("/registers/:id/close", server.Require("registers.close"), s.closeSubmit)
}

func (s *Service) registersPage(c *gin.Context) {
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
	l := regviews.List{Filter: regviews.Filter{Status: f.Status, DateFrom: f.DateFrom, DateTo: f.DateTo}}
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
		status, l.Error = http.StatusUnprocessableEntity, server.Message(err)
	}
	if l.Stores, err = s.storeOptions(ctx, actor, l.Filter.StoreID); err != nil {
		server.Fail(c, err)
		return
	}
	for _, r := range rows {
		l.Rows = append(l.Rows, regviews.Row{
			ID: r.ID.String(), Store: r.StoreCode + " · " + r.StoreName, TerminalID: r.TerminalID, Cashier: r.CashierName,
			OpenedAt: r.OpenedLocal, ClosedAt: r.ClosedLocal, Status: r.Status, OpeningFloat: r.OpeningFloat,
			ExpectedCash: r.ExpectedCash, CountedCash: r.CountedCash, OverShort: r.OverShort, ZNumber: deref(r.ZNumber),
			CanX: actor.CanAt("reports.x_report", r.StoreID), CanZ: actor.CanAt("reports.z_report", r.StoreID),
		})
	}
	l.Pager = components.Pager{Page: page.Page, PageSize: page.PageSize, Total: total, URL: c.Request.URL, Target: "#registers-table"}
	server.RenderPage(c, status, regviews.ListPage(server.PageOf(c, "Registers", navKey), l), regviews.Table(l))
}

func (s *Service) storeOptions(ctx context.Context, actor models.Actor, selected string) ([]components.Option, error) {
	q := actor.ScopeQuery(s.db.WithContext(ctx).Model(&models.Store{}), "registers.view", "id")
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

func (s *Service) xReportPage(c *gin.Context) { s.reportPage(c, s.XReport) }
func (s *Service) zReportPage(c *gin.Context) { s.reportPage(c, s.ZReport) }

func (s *Service) reportPage(c *gin.Context, get reportFunc) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	rep, err := get(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	v := reportView(rep, server.Actor(c))
	server.Render(c, http.StatusOK, regviews.ReportPage(server.PageOf(c, v.Title, navKey), v))
}

func reportView(r *Report, actor models.Actor) regviews.Report {
	sess := r.Session
	v := regviews.Report{
		Kind: r.Kind, SessionID: sess.ID.String(), Store: sess.StoreCode + " · " + sess.StoreName, TerminalID: sess.TerminalID,
		Cashier: sess.CashierName, OpenedAt: sess.OpenedLocal, ClosedAt: sess.ClosedLocal, ClosedBy: sess.ClosedByName,
		ZNumber: r.ZNumber, OpeningFloat: r.OpeningFloat, CashSales: r.CashSales, CashRefunds: r.CashRefunds,
		CardSales: r.CardSales, CardRefunds: r.CardRefunds, ExpectedCash: r.ExpectedCash, DeclaredCash: r.DeclaredCash,
		OverShort: r.OverShort, SalesCount: r.SalesCount, RefundCount: r.RefundCount, VoidCount: r.VoidCount,
		VoidTotal: r.VoidTotal, GrossSales: r.GrossSales, RefundTotal: r.RefundTotal, NetSales: r.NetSales,
		DiscountTotal: r.DiscountTotal, TaxTotal: r.TaxTotal, NetExTax: r.NetExTax,
	}
	loc := models.Store{TimeZone: sess.zone}.Location()
	v.GeneratedAt = r.GeneratedAt.In(loc).Format("2006-01-02 15:04 MST")
	if r.Kind == "Z" {
		v.Title = "Z report " + r.ZNumber + " · terminal " + sess.TerminalID
	} else {
		v.Title = "X report · terminal " + sess.TerminalID
		v.CanClose = actor.CanAt("registers.close", sess.StoreID)
	}
	for _, t := range r.Tenders {
		v.Tenders = append(v.Tenders, regviews.TenderLine{Method: t.Method, Name: t.Name, Sales: t.Sales, Refunds: t.Refunds, Net: t.Net})
	}
	for _, t := range r.Taxes {
		v.Taxes = append(v.Taxes, regviews.TaxLine{Name: t.Name, Rate: t.Rate, Taxable: t.Taxable, Amount: t.Amount})
	}
	return v
}

func (s *Service) closeSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	ctx, actor := c.Request.Context(), server.Actor(c)
	raw := strings.TrimSpace(c.PostForm("countedCash"))
	var counted *int64
	var formErr error
	if raw == "" {
		formErr = models.FieldError("countedCash", "enter the cash counted in the drawer")
	} else if v, err := money.Parse(raw); err != nil {
		formErr = models.FieldError("countedCash", "must be an amount like 412.50")
	} else {
		counted = &v
	}
	var rep *Report
	if formErr == nil {
		rep, formErr = s.Close(ctx, actor, id, counted)
	}
	switch {
	case formErr == nil:
		server.Flash(c, "success", "Register "+rep.Session.TerminalID+" closed with "+rep.ZNumber+".")
		server.Redirect(c, "/registers/"+id.String()+"/z-report")
	case errors.Is(formErr, models.ErrValidation):
		x, err := s.XReport(ctx, actor, id)
		if err != nil {
			server.Fail(c, err)
			return
		}
		v := reportView(x, actor)
		v.CountedCash, v.Error, v.Errors = raw, server.Message(formErr), components.ErrorsOf(formErr)
		p := server.PageOf(c, v.Title, navKey)
		server.RenderPage(c, http.StatusUnprocessableEntity, regviews.ReportPage(p, v), regviews.CloseForm(p.CSRFToken, v))
	case errors.Is(formErr, models.ErrConflict):
		server.Flash(c, "error", server.Message(formErr))
		server.Redirect(c, "/registers")
	default:
		server.Fail(c, formErr)
	}
}
