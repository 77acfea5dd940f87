package transfers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/audit"
	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	poviews "backroom/views/purchasing"
	trviews "backroom/views/transfers"
)

const navKey = "transfers"

func (s *Service) mountWeb(rt server.Routes) {
	web := rt.Web
	web.GET("/transfers", server.Require("transfers.view"), s.listPage)
	web.GET("/transfers/new", server.Require("transfers.create"), s.newPage)
	web.POST("/transfers", server.Require("transfers.create"), s.createSubmit)
	web.GET("/transfers/:id", server.Require("transfers.view"), s.showPage)
	web.POST("/transfers/:id/send", server.Require("transfers.send"), s.sendSubmit)
	web.POST("/transfers/:id/receive", server.Require("transfers.receive"), s.receiveSubmit)
	web.POST("/transfers/:id/cancel", server.Require("transfers.create"), s.cancelSubmit)
}

// transferPath is the transfer's page.
func transferPath(id uuid.UUID) string { return trviews.Path(id, "") }

func (s *Service) stores(c *gin.Context, perm string) ([]components.Option, error) {
	stores, err := models.StoresFor(c.Request.Context(), s.db, server.Actor(c), perm)
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
	f, err := listFilter(c)
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
	stores, err := s.stores(c, PermView)
	if err != nil {
		server.Fail(c, err)
		return
	}
	d := trviews.List{Rows: rows, Status: f.Status, Stores: stores, CanCreate: actor.Can(PermCreate), Differences: c.Query("has_differences"),
		Pager: components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: "#tr-table"}}
	if f.StoreID != nil {
		d.StoreID = f.StoreID.String()
	}
	server.RenderPage(c, http.StatusOK, trviews.ListPage(server.PageOf(c, "Transfers", navKey), d), trviews.Table(d))
}

func (s *Service) renderNew(c *gin.Context, status int, form trviews.Form) {
	from, err := s.stores(c, PermCreate)
	if err != nil {
		server.Fail(c, err)
		return
	}
	// Any active store may receive: the destination need not be one of the sender's stores.
	var all []models.Store
	if err := s.db.WithContext(c.Request.Context()).Where("is_active").Order("code").Find(&all).Error; err != nil {
		server.Fail(c, err)
		return
	}
	choose := components.Option{Value: "", Label: "Choose a store"}
	d := trviews.NewForm{Form: form, FromStores: append([]components.Option{choose}, from...), ToStores: append([]components.Option{choose}, poviews.StoreOptions(all)...)}
	if len(from) == 1 && (form.Values == nil || form.Values["fromStoreId"] == "") {
		if d.Form.Values == nil {
			d.Form.Values = map[string]string{}
		}
		d.Form.Values["fromStoreId"] = from[0].Value
	}
	server.Render(c, status, trviews.NewPage(server.PageOf(c, "New transfer", navKey), d))
}

func (s *Service) newPage(c *gin.Context) { s.renderNew(c, http.StatusOK, trviews.Form{}) }

// parseLines reads "CODE QTY" lines into items, naming bad lines under "lines".
func (s *Service) parseLines(c *gin.Context, raw string, errs *models.Error) ([]ItemInput, error) {
	var items []ItemInput
	for i, line := range strings.Split(strings.ReplaceAll(raw, "\r\n", "\n"), "\n") {
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == ';' })
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 2 {
			errs.Add("lines", fmt.Sprintf("line %d: write the SKU or barcode, then the quantity", i+1))
			continue
		}
		p, err := models.ProductByCode(c.Request.Context(), s.db, fields[0])
		if err != nil {
			if !errors.Is(err, models.ErrNotFound) {
				return nil, err
			}
			errs.Add("lines", fmt.Sprintf("line %d: no product has the SKU or barcode %s", i+1, fields[0]))
			continue
		}
		q, err := money.ParseQty(fields[1])
		if err != nil || q <= 0 {
			errs.Add("lines", fmt.Sprintf("line %d: %q is not a quantity above 0", i+1, fields[1]))
			continue
		}
		items = append(items, ItemInput{ProductID: p.ID, Quantity: q})
	}
	if len(items) == 0 && len(errs.Fields["lines"]) == 0 {
		errs.Add("lines", "list at least one product")
	}
	return items, nil
}

func (s *Service) createSubmit(c *gin.Context) {
	v := map[string]string{}
	for _, n := range []string{"fromStoreId", "toStoreId", "lines", "notes"} {
		v[n] = strings.TrimSpace(c.PostForm(n))
	}
	errs := models.Invalid()
	in := CreateInput{Notes: v["notes"]}
	for name, dst := range map[string]*uuid.UUID{"fromStoreId": &in.FromStoreID, "toStoreId": &in.ToStoreID} {
		id, err := uuid.Parse(v[name])
		if err != nil {
			errs.Add(name, "choose a store")
		}
		*dst = id
	}
	items, err := s.parseLines(c, v["lines"], errs)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in.Items = items
	err = errs.Err()
	var d Detail
	if err == nil {
		d, err = s.Create(c.Request.Context(), server.Actor(c), in)
	}
	if err != nil {
		if !errors.Is(err, models.ErrValidation) {
			server.Fail(c, err)
			return
		}
		e := components.ErrorsOf(err)
		for k, msgs := range e {
			if strings.HasPrefix(k, "items") {
				e["lines"] = append(e["lines"], msgs...)
			}
		}
		s.renderNew(c, http.StatusUnprocessableEntity, trviews.Form{Values: v, Errors: e, Message: server.Message(err)})
		return
	}
	server.Flash(c, "success", fmt.Sprintf("Transfer %s created: the goods have left %s's stock.", d.Number, d.FromStore.Code))
	server.Redirect(c, trviews.Path(d.ID, ""))
}

func (s *Service) view(c *gin.Context, id uuid.UUID) (trviews.Detail, error) {
	ctx := c.Request.Context()
	actor := server.Actor(c)
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return trviews.Detail{}, err
	}
	trail, err := audit.Trail(ctx, s.db, entityType, id)
	if err != nil {
		return trviews.Detail{}, err
	}
	return trviews.Detail{
		T: d.Transfer, Timeline: trail,
		Settlement: trviews.Settlement{Sent: d.Settlement.Sent, Received: d.Settlement.Received, Difference: d.Settlement.Difference,
			Value: d.Settlement.Value, ByReason: d.Settlement.ValueByReason},
		Can: trviews.Actions(Allowed(actor, d.Transfer)),
	}, nil
}

// renderDetail writes the transfer page of id with status; adjust (nil for none) puts a refused
// form's values and errors into it.
func (s *Service) renderDetail(c *gin.Context, status int, id uuid.UUID, adjust func(*trviews.Detail)) {
	v, err := s.view(c, id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if adjust != nil {
		adjust(&v)
	}
	server.Render(c, status, trviews.DetailPage(server.PageOf(c, "Transfer "+v.T.Number, navKey), v))
}

func (s *Service) showPage(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	s.renderDetail(c, http.StatusOK, id, nil)
}

func (s *Service) cancelSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !server.Confirmed(c, navKey, server.Confirmation{Question: "Cancel this transfer? The goods go back into the sending store's stock.",
		Button: "Yes, cancel it", Cancel: transferPath(id)}) {
		return
	}
	d, err := s.Cancel(c.Request.Context(), server.Actor(c), id)
	server.Moved(c, err, d.Number, "cancelled; the goods are back in stock.", transferPath(id))
}

func (s *Service) sendSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Send(c.Request.Context(), server.Actor(c), id, SendInput{TrackingNote: strings.TrimSpace(c.PostForm("trackingNote"))})
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", d.Number+": marked as shipped.")
	server.Redirect(c, trviews.Path(id, ""))
}

// receiveSubmit books the counted quantities (qty_<productId>) with their reasons
// (reason_<productId>).
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
	typed, reasons, formErrs := map[string]string{}, map[string]string{}, map[string][]string{}
	var in ReceiveInput
	index := map[int]string{}
	for _, it := range d.Items {
		key := it.ProductID.String()
		raw, reason := strings.TrimSpace(c.PostForm("qty_"+key)), c.PostForm("reason_"+key)
		typed[key], reasons[key] = raw, reason
		if raw == "" {
			formErrs[key] = append(formErrs[key], "enter the counted quantity (0 if none arrived)")
			continue
		}
		q, err := money.ParseQty(raw)
		if err != nil || q < 0 {
			formErrs[key] = append(formErrs[key], "enter a quantity like 4 or 2.5")
			continue
		}
		index[len(in.Items)] = key
		in.Items = append(in.Items, ReceiveLine{ProductID: it.ProductID, QuantityReceived: q, Reason: reason})
	}
	rerender := func(msg string) {
		s.renderDetail(c, http.StatusUnprocessableEntity, id, func(v *trviews.Detail) {
			v.Received, v.Reasons, v.Errors, v.Message = typed, reasons, formErrs, msg
		})
	}
	if len(formErrs) > 0 {
		rerender("Please correct the highlighted lines.")
		return
	}
	res, err := s.Receive(ctx, server.Actor(c), id, in)
	if err != nil {
		var e *models.Error
		if !errors.Is(err, models.ErrValidation) || !errors.As(err, &e) {
			server.Fail(c, err)
			return
		}
		for field, msgs := range e.Fields {
			var i int
			if _, scanErr := fmt.Sscanf(field, "items[%d]", &i); scanErr == nil {
				formErrs[index[i]] = append(formErrs[index[i]], msgs...)
			}
		}
		rerender(server.Message(err))
		return
	}
	msg := res.Number + ": received."
	if res.HasDifferences {
		msg = res.Number + ": received with differences; see the settlement."
	}
	server.Flash(c, "success", msg)
	server.Redirect(c, trviews.Path(id, ""))
}
