package inventory

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	views "backroom/views/inventory"
)

const navKey = "inventory"

func (s *Service) mountWeb(g *gin.RouterGroup) {
	g.GET("/inventory", server.Require("inventory.view"), s.stockPage)
	g.GET("/inventory/movements", server.Require("inventory.view"), s.movementsPage)
	g.GET("/inventory/cross-store", server.Require("inventory.view"), s.crossStorePage)
	g.GET("/inventory/adjust", server.Require("inventory.adjust"), s.adjustPage)
	g.POST("/inventory/adjust", server.Require("inventory.adjust"), s.adjustSubmit)
	g.POST("/inventory/reorder-point", server.Require("inventory.adjust"), s.reorderPointSubmit)
	g.GET("/inventory/counts", server.Require("inventory.view"), s.countsPage)
	g.POST("/inventory/counts", server.Require("inventory.adjust"), s.countStartSubmit)
	g.GET("/inventory/counts/:id", server.Require("inventory.view"), s.countPage)
	g.POST("/inventory/counts/:id/scan", server.Require("inventory.adjust"), s.countScanSubmit)
	g.POST("/inventory/counts/:id/lines", server.Require("inventory.adjust"), s.countLinesSubmit)
	g.POST("/inventory/counts/:id/post", server.Require("inventory.adjust"), s.countPostSubmit)
	g.POST("/inventory/counts/:id/abandon", server.Require("inventory.adjust"), s.countAbandonSubmit)
}

// Stores returns the active stores where the actor holds perm, by code.
func (s *Service) Stores(ctx context.Context, actor models.Actor, perm string) ([]models.Store, error) {
	var out []models.Store
	q := actor.ScopeQuery(s.db.WithContext(ctx).Where("is_active"), perm, "id")
	err := q.Order("is_hq DESC, code").Find(&out).Error
	return out, err
}

// ProductByCode finds a live product by barcode or SKU (as scanned or typed).
func (s *Service) ProductByCode(ctx context.Context, code string) (models.Product, error) {
	p, err := productByCode(s.db.WithContext(ctx), code)
	if err == nil && p == nil {
		return models.Product{}, models.NotFound("product")
	}
	if err != nil {
		return models.Product{}, err
	}
	return *p, nil
}

func levelView(r LevelRow) views.Level {
	l := views.Level{StoreID: r.StoreID, StoreCode: r.StoreCode, ProductID: r.ProductID, SKU: r.SKU, ProductName: r.ProductName,
		Quantity: r.Quantity, ReorderPoint: r.ReorderPoint, LastMovementAt: r.LastMovementAt}
	if r.Barcode != nil {
		l.Barcode = *r.Barcode
	}
	return l
}

func pager(c *gin.Context, p models.Page, total int64, target string) components.Pager {
	return components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: target}
}

// level returns one level row (nil when the product is unknown there).
func (s *Service) level(ctx context.Context, actor models.Actor, storeID, productID uuid.UUID) (*views.Level, error) {
	rows, _, err := s.Levels(ctx, actor, LevelFilter{StoreID: &storeID, ProductID: &productID}, models.NewPage(1, 1))
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	l := levelView(rows[0])
	return &l, nil
}

func (s *Service) stockPage(c *gin.Context) {
	a := server.Actor(c)
	stores, err := s.Stores(c.Request.Context(), a, "inventory.view")
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := server.QueryOf[LevelFilter](c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	all, _ := a.Scope("inventory.view")
	// A store user starts at their (first) store; HQ starts with every store's levels.
	if f.StoreID == nil && !all && len(stores) > 0 {
		f.StoreID = &stores[0].ID
	}
	tab := c.Query("tab")
	f.LowStock = f.LowStock || tab == "low"
	f.Negative = f.Negative || tab == "negative"
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.Levels(c.Request.Context(), a, f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	v := views.StockView{Page: server.PageOf(c, "Stock", navKey), Stores: stores, AllStores: all, Search: f.Search, Tab: tab,
		Pager: pager(c, p, total, "#stock-table")}
	if f.StoreID != nil {
		v.StoreID = f.StoreID.String()
		v.CanAdjust = a.CanAt("inventory.adjust", *f.StoreID)
	} else {
		v.CanAdjust = a.Can("inventory.adjust")
	}
	for _, r := range rows {
		v.Rows = append(v.Rows, levelView(r))
	}
	server.RenderPage(c, http.StatusOK, views.Stock(v), views.StockTable(v))
}

func (s *Service) movementsPage(c *gin.Context) {
	a := server.Actor(c)
	f, err := server.QueryOf[MovementFilter](c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.Movements(c.Request.Context(), a, f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	v := views.HistoryView{Title: "Stock movements", Pager: pager(c, p, total, "#movement-table")}
	if f.StoreID != nil {
		v.StoreID = f.StoreID.String()
		v.CanAdjust = a.CanAt("inventory.adjust", *f.StoreID)
	}
	if f.ProductID != nil {
		v.ProductID = f.ProductID.String()
	}
	if f.StoreID != nil && f.ProductID != nil {
		if v.Current, err = s.level(c.Request.Context(), a, *f.StoreID, *f.ProductID); err != nil {
			server.Fail(c, err)
			return
		}
		if v.Current != nil {
			v.Title = v.Current.SKU + " · " + v.Current.ProductName + " at " + v.Current.StoreCode
		}
	}
	for _, m := range rows {
		v.Rows = append(v.Rows, views.Movement{At: m.CreatedAt, StoreCode: m.StoreCode, SKU: m.SKU, ProductName: m.ProductName,
			Type: m.Type, Quantity: m.Quantity, QuantityAfter: m.QuantityAfter, Reason: m.Reason, Username: m.Username})
	}
	v.Page = server.PageOf(c, v.Title, navKey)
	server.RenderPage(c, http.StatusOK, views.History(v), views.HistoryTable(v))
}

func (s *Service) crossStorePage(c *gin.Context) {
	id, err := server.UUIDQuery(c, "product_id", "productId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if id == nil {
		server.Fail(c, models.NotFound("product"))
		return
	}
	cs, err := s.CrossStoreLevels(c.Request.Context(), *id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	v := views.CrossStoreView{Page: server.PageOf(c, "Stock in every store", navKey), Total: cs.Total,
		Product: views.Level{ProductID: cs.Product.ID, SKU: cs.Product.SKU, ProductName: cs.Product.Name}}
	for _, r := range cs.Stores {
		v.Rows = append(v.Rows, views.CrossStoreRow{StoreID: r.StoreID, StoreCode: r.StoreCode, StoreName: r.StoreName,
			Quantity: r.Quantity, ReorderPoint: r.ReorderPoint, LastMovementAt: r.LastMovementAt})
	}
	server.Render(c, http.StatusOK, views.CrossStore(v))
}

// adjustView builds the adjustment page for the form's store and product.
func (s *Service) adjustView(c *gin.Context, f views.AdjustForm) (views.AdjustView, error) {
	a := server.Actor(c)
	stores, err := s.Stores(c.Request.Context(), a, "inventory.adjust")
	if err != nil {
		return views.AdjustView{}, err
	}
	if f.StoreID == "" && len(stores) > 0 {
		f.StoreID = stores[0].ID.String()
	}
	v := views.AdjustView{Page: server.PageOf(c, "Adjust stock", navKey), Stores: stores, Reasons: Reasons, Form: f}
	storeID, err1 := uuid.Parse(f.StoreID)
	productID, err2 := uuid.Parse(f.ProductID)
	if err1 == nil && err2 == nil && a.CanAt("inventory.view", storeID) {
		if v.Current, err = s.level(c.Request.Context(), a, storeID, productID); err != nil {
			return v, err
		}
		if v.Current != nil && v.Form.ReorderPoint == "" {
			v.Form.ReorderPoint = money.FormatQty(v.Current.ReorderPoint)
		}
	}
	return v, nil
}

func (s *Service) adjustPage(c *gin.Context) {
	v, err := s.adjustView(c, views.AdjustForm{StoreID: c.Query("store_id"), ProductID: c.Query("product_id"), Mode: "delta"})
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.Adjust(v))
}

// adjustFailed re-renders the adjustment form with its messages (422/403 on the form) or takes
// the central error exit.
func (s *Service) adjustFailed(c *gin.Context, f views.AdjustForm, err error) {
	status := server.Status(err)
	if status != http.StatusUnprocessableEntity {
		server.Fail(c, err)
		return
	}
	v, verr := s.adjustView(c, f)
	if verr != nil {
		server.Fail(c, verr)
		return
	}
	v.Errors, v.Error = components.ErrorsOf(err), server.Message(err)
	server.Render(c, status, views.Adjust(v))
}

func (s *Service) adjustSubmit(c *gin.Context) {
	f := views.AdjustForm{StoreID: c.PostForm("storeId"), ProductID: c.PostForm("productId"), Product: strings.TrimSpace(c.PostForm("product")),
		Mode: c.PostForm("mode"), Quantity: strings.TrimSpace(c.PostForm("quantity")), Reason: c.PostForm("reason"), Note: c.PostForm("note")}
	in := AdjustmentInput{StoreID: f.StoreID, ProductID: f.ProductID, Reason: f.Reason, Note: f.Note}
	if in.ProductID == "" && f.Product != "" {
		p, err := s.ProductByCode(c.Request.Context(), f.Product)
		if err != nil {
			if server.Status(err) == http.StatusNotFound {
				err = models.FieldError("product", "no product has SKU or barcode "+f.Product)
			}
			s.adjustFailed(c, f, err)
			return
		}
		in.ProductID = p.ID.String()
	}
	if f.Quantity != "" {
		q, err := money.ParseQty(f.Quantity)
		if err != nil {
			s.adjustFailed(c, f, models.FieldError("quantity", "must be a number such as 3 or -2.5"))
			return
		}
		if f.Mode == "absolute" {
			in.NewQuantity = &q
		} else {
			in.Quantity = &q
		}
	}
	out, err := s.Adjust(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		if server.Status(err) == http.StatusUnprocessableEntity && in.ProductID != "" && f.ProductID == "" {
			f.ProductID = in.ProductID
		}
		s.adjustFailed(c, f, err)
		return
	}
	server.Flash(c, "success", "Stock adjusted by "+signed(out.Movement.Quantity)+"; now "+money.FormatQty(out.Level.Quantity)+" on hand.")
	server.Redirect(c, "/inventory/movements?store_id="+out.Level.StoreID.String()+"&product_id="+out.Level.ProductID.String())
}

func signed(v int64) string {
	if v > 0 {
		return "+" + money.FormatQty(v)
	}
	return money.FormatQty(v)
}

func (s *Service) reorderPointSubmit(c *gin.Context) {
	f := views.AdjustForm{StoreID: c.PostForm("storeId"), ProductID: c.PostForm("productId"), Mode: "delta",
		ReorderPoint: strings.TrimSpace(c.PostForm("reorderPoint"))}
	in := ReorderPointInput{StoreID: f.StoreID, ProductID: f.ProductID}
	var err error
	if f.ReorderPoint != "" {
		q, perr := money.ParseQty(f.ReorderPoint)
		if perr != nil {
			s.adjustFailed(c, f, models.FieldError("reorderPoint", "must be a number such as 5"))
			return
		}
		in.ReorderPoint = &q
	}
	if _, err = s.SetReorderPoint(c.Request.Context(), server.Actor(c), in); err != nil {
		s.adjustFailed(c, f, err)
		return
	}
	server.Flash(c, "success", "Reorder point saved.")
	server.Redirect(c, "/inventory/adjust?store_id="+f.StoreID+"&product_id="+f.ProductID)
}
