package purchasing

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/audit"
	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	poviews "backroom/views/purchasing"
)

const navKey = "purchasing"

func (s *Service) mountWeb(rt server.Routes) {
	web := rt.Web
	web.GET("/purchase-orders", server.Require("purchase_orders.view"), s.listPage)
	web.GET("/purchase-orders/new", server.Require("purchase_orders.create"), s.newPage)
	web.POST("/purchase-orders", server.Require("purchase_orders.create"), s.createSubmit)
	web.GET("/purchase-orders/suggest", server.Require("purchase_orders.create"), s.suggestPage)
	web.POST("/purchase-orders/suggest", server.Require("purchase_orders.create"), s.suggestSubmit)
	web.GET("/purchase-orders/:id", server.Require("purchase_orders.view"), s.showPage)
	web.GET("/purchase-orders/:id/pdf", server.Require("purchase_orders.view"), s.downloadPDF)
	web.GET("/purchase-orders/:id/csv", server.Require("purchase_orders.view"), s.downloadCSV)
	web.POST("/purchase-orders/:id/submit", server.Require("purchase_orders.create"), s.submitSubmit)
	web.POST("/purchase-orders/:id/approve", server.Require("purchase_orders.approve"), s.approveSubmit)
	web.POST("/purchase-orders/:id/send", server.Require("purchase_orders.edit"), s.sendSubmit)
	web.POST("/purchase-orders/:id/cancel", server.Require("purchase_orders.edit"), s.cancelSubmit)
	web.POST("/purchase-orders/:id/delete", server.Require("purchase_orders.delete"), s.deleteSubmit)
	web.POST("/purchase-orders/:id/receive", server.Require("purchase_orders.receive"), s.receiveSubmit)
	web.POST("/purchase-orders/:id/close", server.Require("purchase_orders.receive"), s.closeSubmit)
	web.POST("/purchase-orders/:id/items", server.Require("purchase_orders.edit"), s.addItemSubmit)
	web.POST("/purchase-orders/:id/items/:itemId", server.Require("purchase_orders.edit"), s.updateItemSubmit)
	web.POST("/purchase-orders/:id/items/:itemId/delete", server.Require("purchase_orders.edit"), s.removeItemSubmit)
}

// orderPath is the purchase order's page.
func orderPath(id uuid.UUID) string { return poviews.Path(id, "") }

// options lists active suppliers and the stores where the actor may raise orders.
func (s *Service) options(c *gin.Context, perm string) (suppliers, stores []components.Option, err error) {
	ctx := c.Request.Context()
	var sup []models.Supplier
	if err = s.db.WithContext(ctx).Where("is_active").Order("name").Limit(1000).Find(&sup).Error; err != nil {
		return
	}
	suppliers = []components.Option{{Value: "", Label: "Choose a supplier"}}
	for _, x := range sup {
		suppliers = append(suppliers, components.Option{Value: x.ID.String(), Label: x.Name})
	}
	stores, err = StoreOptions(c, s.db, server.Actor(c), perm)
	if err == nil && len(stores) != 1 {
		stores = append([]components.Option{{Value: "", Label: "Choose a store"}}, stores...)
	}
	return
}

// StoreOptions lists the active stores where the actor holds perm, for store pickers.
func StoreOptions(c *gin.Context, db *gorm.DB, a models.Actor, perm string) ([]components.Option, error) {
	stores, err := models.StoresFor(c.Request.Context(), db, a, perm)
	if err != nil {
		return nil, err
	}
	return poviews.StoreOptions(stores), nil
}

func (s *Service) listPage(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := server.QueryOf[ListFilter](c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	actor := server.Actor(c)
	rows, total, err := s.List(c.Request.Context(), actor, f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	stores, err := StoreOptions(c, s.db, actor, PermView)
	if err != nil {
		server.Fail(c, err)
		return
	}
	d := poviews.List{Rows: rows, Status: f.Status, Search: f.Search, Stores: stores, CanCreate: actor.Can(PermCreate),
		Pager: components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: "#po-table"}}
	if f.StoreID != nil {
		d.StoreID = f.StoreID.String()
	}
	server.RenderPage(c, http.StatusOK, poviews.ListPage(server.PageOf(c, "Purchase orders", navKey), d), poviews.Table(d))
}

func (s *Service) renderNew(c *gin.Context, status int, suggest bool, form poviews.Form) {
	suppliers, stores, err := s.options(c, PermCreate)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if form.Values == nil {
		form.Values = map[string]string{}
	}
	if form.Values["storeId"] == "" && len(stores) == 1 {
		form.Values["storeId"] = stores[0].Value
	}
	title := "New purchase order"
	if suggest {
		title = "Suggest an order"
	}
	server.Render(c, status, poviews.NewPage(server.PageOf(c, title, navKey), poviews.NewForm{Form: form, Suppliers: suppliers, Stores: stores, Suggest: suggest}))
}

func (s *Service) newPage(c *gin.Context)     { s.renderNew(c, http.StatusOK, false, poviews.Form{}) }
func (s *Service) suggestPage(c *gin.Context) { s.renderNew(c, http.StatusOK, true, poviews.Form{}) }

// formError re-renders a form with a validation error, or fails for anything else.
func formError(c *gin.Context, err error, render func(poviews.Form)) {
	if errors.Is(err, models.ErrValidation) {
		render(poviews.Form{Errors: components.ErrorsOf(err), Message: server.Message(err)})
		return
	}
	server.Fail(c, err)
}

// orderForm is the new purchase order form.
type orderForm struct {
	SupplierID   choice `form:"supplierId"`
	StoreID      choice `form:"storeId"`
	ExpectedDate string `form:"expectedDate"`
	Notes        string `form:"notes"`
}

// suggestForm is the suggest-an-order form: whom to order from, for which store.
type suggestForm struct {
	SupplierID choice `form:"supplierId"`
	StoreID    choice `form:"storeId"`
}

// choice is the id a select posts; left blank (or not an id) it asks the person to choose one.
type choice uuid.UUID

func (ch *choice) UnmarshalParam(s string) error {
	id, err := uuid.Parse(s)
	if err != nil {
		return errors.New("choose one")
	}
	*ch = choice(id)
	return nil
}

func (s *Service) createSubmit(c *gin.Context) {
	var f orderForm
	err := server.BindForm(c, &f)
	render := func(pf poviews.Form) {
		pf.Values = server.FormValues(c, &f)
		s.renderNew(c, http.StatusUnprocessableEntity, false, pf)
	}
	if err != nil {
		formError(c, err, render)
		return
	}
	in := CreateInput{SupplierID: uuid.UUID(f.SupplierID), StoreID: uuid.UUID(f.StoreID), Notes: f.Notes}
	if f.ExpectedDate != "" {
		in.ExpectedDate = &f.ExpectedDate
	}
	d, err := s.Create(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		formError(c, err, render)
		return
	}
	server.Flash(c, "success", fmt.Sprintf("Draft %s created. Add its lines, then submit it for approval.", d.Number))
	server.Redirect(c, poviews.Path(d.ID, ""))
}

func (s *Service) suggestSubmit(c *gin.Context) {
	var f suggestForm
	err := server.BindForm(c, &f)
	render := func(pf poviews.Form) {
		pf.Values = server.FormValues(c, &f)
		s.renderNew(c, http.StatusUnprocessableEntity, true, pf)
	}
	if err != nil {
		formError(c, err, render)
		return
	}
	d, err := s.Suggest(c.Request.Context(), server.Actor(c), SuggestInput{SupplierID: uuid.UUID(f.SupplierID), StoreID: uuid.UUID(f.StoreID)})
	if err != nil {
		formError(c, err, render)
		return
	}
	server.Flash(c, "success", fmt.Sprintf("Draft %s holds %d products under their reorder point.", d.Number, len(d.Items)))
	server.Redirect(c, poviews.Path(d.ID, ""))
}

// view builds the detail page's data: the order, its timeline, who did what and the actions
// the actor may take now.
func (s *Service) view(c *gin.Context, id uuid.UUID) (poviews.Detail, error) {
	ctx := c.Request.Context()
	actor := server.Actor(c)
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return poviews.Detail{}, err
	}
	trail, err := audit.Trail(ctx, s.db, entityType, id)
	if err != nil {
		return poviews.Detail{}, err
	}
	v := poviews.Detail{Order: d.PurchaseOrder, Receipts: d.Receipts, Ordered: d.Ordered, Received: d.Received, Timeline: trail, Users: map[uuid.UUID]string{}}
	var ids []uuid.UUID
	for _, p := range []*uuid.UUID{d.SubmittedBy, d.ApprovedBy, d.CreatedBy, d.ClosedShortBy} {
		if p != nil {
			ids = append(ids, *p)
		}
	}
	for _, r := range d.Receipts {
		if r.UserID != nil {
			ids = append(ids, *r.UserID)
		}
	}
	if len(ids) > 0 {
		var users []models.User
		if err := s.db.WithContext(ctx).Select("id", "display_name").Where("id IN ?", ids).Find(&users).Error; err != nil {
			return v, err
		}
		for _, u := range users {
			v.Users[u.ID] = u.DisplayName
		}
	}
	v.Can = poviews.Actions(Allowed(actor, d.PurchaseOrder, len(d.Items)))
	return v, nil
}

// renderDetail writes the purchase order page of id with status; adjust (nil for none) puts a
// refused form's values and errors into it.
func (s *Service) renderDetail(c *gin.Context, status int, id uuid.UUID, adjust func(*poviews.Detail)) {
	v, err := s.view(c, id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if adjust != nil {
		adjust(&v)
	}
	server.Render(c, status, poviews.DetailPage(server.PageOf(c, "Purchase order "+v.Order.Number, navKey), v))
}

func (s *Service) showPage(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	s.renderDetail(c, http.StatusOK, id, nil)
}

// labels name an order's fields as its page does, for refusals in words.
var labels = map[string]string{"items": "Lines", "reason": "Reason", "quantityReceived": "Received", "itemId": "Line",
	"productId": "Product", "quantity": "Quantity", "unitCost": "Unit cost"}

// transitioned ends a transition post: done, it goes back to the order with "<number>: <done>";
// refused (422, or 409 when the order moved on), the order's own page comes back with that
// status and the reason in words at the top. An htmx post gets the same words as a flash.
func (s *Service) transitioned(c *gin.Context, id uuid.UUID, err error, number, done string) {
	if status, ok := server.RefusedOnPage(c, err, func() map[string]string { return labels }, number, done, orderPath(id)); ok {
		s.renderDetail(c, status, id, func(v *poviews.Detail) { v.Refused = components.RefusalOf(err, server.Message(err), labels) })
	}
}

func (s *Service) submitSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Submit(c.Request.Context(), server.Actor(c), id)
	s.transitioned(c, id, err, d.Number, "Submitted for approval.")
}

func (s *Service) approveSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Approve(c.Request.Context(), server.Actor(c), id)
	s.transitioned(c, id, err, d.Number, "Approved.")
}

func (s *Service) sendSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Send(c.Request.Context(), server.Actor(c), id)
	s.transitioned(c, id, err, d.Number, "Marked as sent. Download the PDF or CSV for the supplier.")
}

func (s *Service) cancelSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !server.Confirmed(c, navKey, server.Confirmation{Question: "Cancel this purchase order?", Cancel: orderPath(id)}) {
		return
	}
	d, err := s.Cancel(c.Request.Context(), server.Actor(c), id)
	s.transitioned(c, id, err, d.Number, "Cancelled.")
}

func (s *Service) deleteSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !server.Confirmed(c, navKey, server.Confirmation{Question: "Delete this draft purchase order? This cannot be undone.", Cancel: poviews.Path(id, "")}) {
		return
	}
	if err := s.Delete(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Draft deleted.")
	server.Redirect(c, "/purchase-orders")
}

// lineForm is the add-a-line form: the product by SKU or barcode, how many and, optionally, at
// what cost.
type lineForm struct {
	Code     string        `form:"code"`
	Quantity quantityField `form:"quantity"`
	UnitCost costField     `form:"unitCost"`
}

// quantityField is a quantity as typed ("12", "2.5"), in thousandths; it must be above 0.
type quantityField int64

func (q *quantityField) UnmarshalParam(s string) error {
	n, err := money.ParseQty(s)
	if err != nil || n <= 0 {
		return errors.New("enter a quantity above 0, e.g. 12 or 2.5")
	}
	*q = quantityField(n)
	return nil
}

// costField is a unit cost as typed ("12.99"), in cents; left blank it is none (nil).
type costField struct{ cents *int64 }

func (f *costField) UnmarshalParam(s string) error {
	if s == "" {
		return nil
	}
	cost, err := money.Parse(s)
	if err != nil || cost < 0 {
		return errors.New("enter an amount like 12.99")
	}
	f.cents = &cost
	return nil
}

func (s *Service) addItemSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var f lineForm
	bindErr := server.BindForm(c, &f)
	fail := func(err error) {
		if !errors.Is(err, models.ErrValidation) {
			server.Fail(c, err)
			return
		}
		s.renderDetail(c, http.StatusUnprocessableEntity, id, func(d *poviews.Detail) {
			errs := components.ErrorsOf(err)
			if p := errs["productId"]; p != nil {
				errs["code"] = append(errs["code"], p...)
			}
			d.AddForm = poviews.Form{Values: server.FormValues(c, &f), Errors: errs, Message: server.Message(err)}
		})
	}
	errs := models.Invalid()
	in := ItemInput{Quantity: int64(f.Quantity), UnitCost: f.UnitCost.cents}
	if f.Code == "" {
		errs.Add("code", "enter a SKU or barcode")
	} else if p, err := models.ProductByCode(c.Request.Context(), s.db, f.Code); err != nil {
		if !errors.Is(err, models.ErrNotFound) {
			server.Fail(c, err)
			return
		}
		errs.Add("code", "no product has this SKU or barcode")
	} else {
		in.ProductID = p.ID
	}
	if err := errs.Merge(bindErr); err != nil {
		server.Fail(c, err)
		return
	}
	if err := errs.Err(); err != nil {
		fail(err)
		return
	}
	if _, err := s.AddItem(c.Request.Context(), server.Actor(c), id, in); err != nil {
		fail(err)
		return
	}
	server.Flash(c, "success", "Line added.")
	server.Redirect(c, poviews.Path(id, ""))
}

func (s *Service) updateItemSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	itemID, err := server.IDParam(c, "itemId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in ItemUpdate
	errs := models.Invalid()
	if q, err := money.ParseQty(c.PostForm("quantity")); err != nil || q <= 0 {
		errs.Add("quantity", "enter a quantity above 0")
	} else {
		in.Quantity = &q
	}
	if cost, err := money.Parse(c.PostForm("unitCost")); err != nil || cost < 0 {
		errs.Add("unitCost", "enter an amount like 12.99")
	} else {
		in.UnitCost = &cost
	}
	if err := errs.Err(); err != nil {
		server.Flash(c, "error", server.Message(err))
		server.Redirect(c, poviews.Path(id, ""))
		return
	}
	if _, err := s.UpdateItem(c.Request.Context(), server.Actor(c), id, itemID, in); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Line saved.")
	server.Redirect(c, poviews.Path(id, ""))
}

func (s *Service) removeItemSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	itemID, err := server.IDParam(c, "itemId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !server.Confirmed(c, navKey, server.Confirmation{Question: "Remove this line from the order?", Cancel: poviews.Path(id, "")}) {
		return
	}
	if _, err := s.RemoveItem(c.Request.Context(), server.Actor(c), id, itemID); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Line removed.")
	server.Redirect(c, poviews.Path(id, ""))
}

// receiveSubmit books a delivery from the form's qty_<itemId> fields. Over-receiving comes back
// with the confirmation box; ticking it books the delivery.
func (s *Service) receiveSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	d, err := s.Get(ctx, server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	typed := map[string]string{}
	formErrs := map[string][]string{}
	in := ReceiveInput{ConfirmOverReceive: c.PostForm("confirmOverReceive") == "true"}
	index := map[int]string{}
	for _, it := range d.Items {
		key := it.ID.String()
		raw := strings.TrimSpace(c.PostForm("qty_" + key))
		typed[key] = raw
		if raw == "" {
			continue
		}
		q, err := money.ParseQty(raw)
		if err != nil || q < 0 {
			formErrs[key] = append(formErrs[key], "enter a quantity like 4 or 2.5")
			continue
		}
		index[len(in.Items)] = key
		in.Items = append(in.Items, ReceiveLine{ItemID: it.ID, QuantityReceived: q})
	}
	rerender := func(msg string, over bool) {
		s.renderDetail(c, http.StatusUnprocessableEntity, id, func(v *poviews.Detail) {
			v.Receive, v.ReceiveErrors, v.ReceiveMessage, v.ConfirmOver = typed, formErrs, msg, over
		})
	}
	if len(formErrs) > 0 {
		rerender("Please correct the highlighted quantities.", false)
		return
	}
	if len(in.Items) == 0 {
		rerender("Enter what arrived for at least one line.", false)
		return
	}
	res, err := s.Receive(ctx, server.Actor(c), id, in)
	if err != nil {
		var e *models.Error
		if !errors.Is(err, models.ErrValidation) || !errors.As(err, &e) {
			server.Fail(c, err)
			return
		}
		over := false
		for field, msgs := range e.Fields {
			var i int
			if _, scanErr := fmt.Sscanf(field, "items[%d].quantityReceived", &i); scanErr == nil {
				formErrs[index[i]] = append(formErrs[index[i]], msgs...)
				over = true
			}
		}
		// The paths (items[i].quantityReceived) are not the page's: the messages stand under
		// their lines' inputs, and the headline says so in words.
		rerender(components.RefusalOf(err, server.Message(err), labels).Message, over)
		return
	}
	msg := fmt.Sprintf("%s: received. %s of %s in so far.", res.Number, money.FormatQty(res.Received), money.FormatQty(res.Ordered))
	server.Flash(c, "success", msg)
	server.Redirect(c, poviews.Path(id, ""))
}

// closeSubmit closes a partly received order short with the form's reason. The reason is
// checked first (422 beside the field); then, unless hx-confirm already asked, the confirmation
// page says what happens and posts the reason back with confirm=yes.
func (s *Service) closeSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	typed := strings.TrimSpace(c.PostForm("reason"))
	refused := func(err error) {
		if !errors.Is(err, models.ErrValidation) || server.IsHTMX(c) {
			server.Fail(c, err)
			return
		}
		s.renderDetail(c, http.StatusUnprocessableEntity, id, func(v *poviews.Detail) {
			v.CloseForm = poviews.Form{Values: map[string]string{"reason": typed}, Errors: components.ErrorsOf(err), Message: server.Message(err)}
		})
	}
	reason, err := CloseReason(typed)
	if err != nil {
		refused(err)
		return
	}
	ctx := c.Request.Context()
	if c.PostForm("confirm") != "yes" {
		d, err := s.Get(ctx, server.Actor(c), id)
		if err != nil {
			server.Fail(c, err)
			return
		}
		server.Render(c, http.StatusOK, components.Confirm(components.ConfirmView{
			Page: server.PageOf(c, "Please confirm", navKey), Message: poviews.CloseQuestion(d.PurchaseOrder),
			Action: c.Request.URL.Path, Fields: map[string]string{"reason": reason}, Button: "Close short", Cancel: poviews.Path(id, ""),
		}))
		return
	}
	d, err := s.CloseShort(ctx, server.Actor(c), id, reason)
	if err != nil {
		refused(err)
		return
	}
	server.Flash(c, "success", d.Number+": closed short; "+poviews.Shortfall(d.PurchaseOrder)+" will not be received.")
	server.Redirect(c, poviews.Path(id, ""))
}
