package pricing

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/audit"
	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	prviews "backroom/views/pricing"
	poviews "backroom/views/purchasing"
)

const navKey = "pricing"

func (s *Service) mountWeb(rt server.Routes) {
	w := rt.Web
	w.GET("/worksheets", server.Require(PermWSView), s.worksheetsPage)
	w.GET("/worksheets/new", server.Require(PermWSCreate), s.newWorksheetPage)
	w.POST("/worksheets", server.Require(PermWSCreate), s.createWorksheetSubmit)
	w.GET("/worksheets/:id", server.Require(PermWSView), s.worksheetRecord().Show)
	moves := server.Transition[models.Worksheet]{Active: navKey, Path: worksheetPath, Number: func(w models.Worksheet) string { return w.Number }}
	w.POST("/worksheets/:id/submit", server.Require(PermWSSubmit), moves.Post(s.SubmitWorksheet, "Submitted for approval."))
	w.POST("/worksheets/:id/approve", server.Require(PermWSApprove), moves.Post(s.ApproveWorksheet, "Approved."))
	w.POST("/worksheets/:id/apply", server.Require(PermWSApply), moves.PostConfirmed(s.ApplyWorksheet, "Applied: the products have their new values.", server.Confirmation{Question: "Apply this worksheet now?"}))
	w.POST("/worksheets/:id/reject", server.Require(PermWSApprove), s.rejectWorksheetSubmit)
	w.POST("/worksheets/:id/delete", server.Require(PermWSDelete), s.deleteWorksheetSubmit)
	w.POST("/worksheets/:id/items", server.Require(PermWSCreate), s.addWorksheetItemsSubmit)
	w.POST("/worksheets/:id/items/:itemId", server.Require(PermWSCreate), s.worksheetCellSubmit)
	w.POST("/worksheets/:id/items/:itemId/delete", server.Require(PermWSCreate), s.removeWorksheetItemSubmit)
	w.POST("/worksheets/:id/paste", server.Require(PermWSCreate), s.pastePricesSubmit)

	w.GET("/specials", server.Require(PermSpecialsView), s.specialsPage)
	w.GET("/specials/new", server.Require(PermSpecialsManage), s.newSpecialPage)
	w.POST("/specials", server.Require(PermSpecialsManage), s.saveSpecialSubmit)
	w.GET("/specials/:id/edit", server.Require(PermSpecialsManage), s.editSpecialPage)
	w.POST("/specials/:id", server.Require(PermSpecialsManage), s.saveSpecialSubmit)
	w.POST("/specials/:id/deactivate", server.Require(PermSpecialsManage), s.specialActiveSubmit(false))
	w.POST("/specials/:id/activate", server.Require(PermSpecialsManage), s.specialActiveSubmit(true))
	w.POST("/specials/:id/delete", server.Require(PermSpecialsManage), s.deleteSpecialSubmit)

	w.GET("/price-history/:productId", server.Require("products.view"), s.priceHistoryPage)
	w.GET("/store-prices", server.Require(PermStorePricesView), s.storePricesPage)
	w.POST("/store-prices", server.Require(PermStorePricesManage), s.storePriceSubmit)
	w.POST("/store-prices/:id/delete", server.Require(PermStorePricesManage), s.deleteStorePriceSubmit)
}

// worksheetPath is the worksheet's page.
func worksheetPath(id uuid.UUID) string { return prviews.Path(id, "") }

// confirmed asks question on a pricing page before a destructive post (see server.Confirmed).
func confirmed(c *gin.Context, question, cancel string) bool {
	return server.Confirmed(c, navKey, server.Confirmation{Question: question, Cancel: cancel})
}

func formOf(err error, values map[string]string) prviews.Form {
	return prviews.Form{Values: values, Errors: components.ErrorsOf(err), Message: server.Message(err)}
}

func values(c *gin.Context, names ...string) map[string]string {
	v := map[string]string{}
	for _, n := range names {
		v[n] = strings.TrimSpace(c.PostForm(n))
	}
	return v
}

func storeIDs(c *gin.Context) ([]uuid.UUID, map[string]bool) {
	var ids []uuid.UUID
	chosen := map[string]bool{}
	for _, raw := range c.PostFormArray("storeIds") {
		if id, err := uuid.Parse(raw); err == nil {
			ids = append(ids, id)
			chosen[raw] = true
		}
	}
	return ids, chosen
}

func (s *Service) storeOptions(c *gin.Context, perm string) ([]components.Option, error) {
	stores, err := models.StoresFor(c.Request.Context(), s.db, server.Actor(c), perm)
	if err != nil {
		return nil, err
	}
	return poviews.StoreOptions(stores), nil
}

// ---- worksheets ----

func (s *Service) worksheetsPage(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f := WorksheetFilter{Status: c.Query("status"), Type: c.Query("type"), Search: c.Query("q")}
	actor := server.Actor(c)
	rows, total, err := s.ListWorksheets(c.Request.Context(), actor, f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	d := prviews.WorksheetList{Rows: rows, Status: f.Status, Type: f.Type, Search: f.Search, CanCreate: actor.Can(PermWSCreate),
		Pager: components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: "#ws-table"}}
	server.RenderPage(c, http.StatusOK, prviews.WorksheetsPage(server.PageOf(c, "Worksheets", navKey), d), prviews.WorksheetTable(d))
}

func (s *Service) renderNewWorksheet(c *gin.Context, status int, form prviews.Form, chosen map[string]bool) {
	stores, err := s.storeOptions(c, PermWSCreate)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, status, prviews.NewWorksheetPage(server.PageOf(c, "New worksheet", navKey), prviews.WorksheetForm{Form: form, Stores: stores, Chosen: chosen}))
}

func (s *Service) newWorksheetPage(c *gin.Context) {
	s.renderNewWorksheet(c, http.StatusOK, prviews.Form{Values: map[string]string{"type": c.Query("type")}}, nil)
}

func (s *Service) createWorksheetSubmit(c *gin.Context) {
	v := values(c, "type", "description", "effectiveDate")
	ids, chosen := storeIDs(c)
	in := WorksheetInput{Type: v["type"], Description: v["description"], StoreIDs: ids}
	if v["effectiveDate"] != "" {
		d := v["effectiveDate"]
		in.EffectiveDate = &d
	}
	w, err := s.CreateWorksheet(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		if errors.Is(err, models.ErrValidation) {
			s.renderNewWorksheet(c, http.StatusUnprocessableEntity, formOf(err, v), chosen)
			return
		}
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", fmt.Sprintf("Draft %s created. Add its lines, then submit it for approval.", w.Number))
	server.Redirect(c, prviews.Path(w.ID, ""))
}

// worksheetView builds the worksheet page's data and the actions the actor may take now.
func (s *Service) worksheetView(c *gin.Context, id uuid.UUID) (prviews.WorksheetDetail, error) {
	ctx := c.Request.Context()
	actor := server.Actor(c)
	w, err := s.GetWorksheet(ctx, actor, id)
	if err != nil {
		return prviews.WorksheetDetail{}, err
	}
	trail, err := audit.Trail(ctx, s.db, wsEntity, id)
	if err != nil {
		return prviews.WorksheetDetail{}, err
	}
	d := prviews.WorksheetDetail{W: w, Timeline: trail, Names: map[uuid.UUID]string{}}
	if len(w.StoreIDs) > 0 {
		var stores []models.Store
		if err := s.db.WithContext(ctx).Where("id IN ?", w.StoreIDs).Order("code").Find(&stores).Error; err != nil {
			return d, err
		}
		for _, st := range stores {
			d.StoreNames = append(d.StoreNames, st.Code+" "+st.Name)
		}
	}
	var depts []models.Department
	if err := s.db.WithContext(ctx).Where("is_active").Order("name").Limit(1000).Find(&depts).Error; err != nil {
		return d, err
	}
	for _, x := range depts {
		d.Departments = append(d.Departments, components.Option{Value: x.ID.String(), Label: x.Name})
		d.Names[x.ID] = x.Name
	}
	var groups []models.TaxGroup
	if err := s.db.WithContext(ctx).Order("name").Limit(1000).Find(&groups).Error; err != nil {
		return d, err
	}
	for _, x := range groups {
		d.TaxGroups = append(d.TaxGroups, components.Option{Value: x.ID.String(), Label: x.Name})
		d.Names[x.ID] = x.Name
	}
	can := func(perm string) bool { return canFor(actor, perm, w.StoreIDs) }
	d.Can = prviews.WSActions{
		Edit:    w.Status == models.WSDraft && can(PermWSCreate),
		Submit:  w.Status == models.WSDraft && can(PermWSSubmit) && len(w.Items) > 0,
		Approve: w.Status == models.WSSubmitted && can(PermWSApprove),
		Reject:  w.Status == models.WSSubmitted && can(PermWSApprove),
		Delete:  w.Status == models.WSDraft && can(PermWSDelete),
	}
	if w.Status == models.WSApproved {
		due, err := isDue(ctx, s.db, id, time.Now())
		if err != nil {
			return d, err
		}
		d.Can.Apply = due && can(PermWSApply)
		d.Scheduled = !due
	}
	d.CSRF = server.CSRFToken(c)
	return d, nil
}

// worksheetRecord is the worksheet page.
func (s *Service) worksheetRecord() server.Record[prviews.WorksheetDetail] {
	return server.Record[prviews.WorksheetDetail]{Load: s.worksheetView, Page: func(c *gin.Context, v prviews.WorksheetDetail) templ.Component {
		return prviews.WorksheetPage(server.PageOf(c, "Worksheet "+v.W.Number, navKey), v)
	}}
}

func (s *Service) rejectWorksheetSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	w, err := s.RejectWorksheet(c.Request.Context(), server.Actor(c), id, c.PostForm("reason"))
	if err != nil {
		if errors.Is(err, models.ErrValidation) {
			server.Flash(c, "error", server.Message(err))
			server.Redirect(c, prviews.Path(id, ""))
			return
		}
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", w.Number+": rejected.")
	server.Redirect(c, prviews.Path(id, ""))
}

func (s *Service) deleteWorksheetSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !confirmed(c, "Delete this draft worksheet? This cannot be undone.", prviews.Path(id, "")) {
		return
	}
	if err := s.DeleteWorksheet(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Draft deleted.")
	server.Redirect(c, "/worksheets")
}

// addWorksheetItemsSubmit adds one line per SKU or barcode (or a new product's first values).
func (s *Service) addWorksheetItemsSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	v := values(c, "codes", "newSku", "newName", "newSellPrice")
	fail := func(err error) {
		if !errors.Is(err, models.ErrValidation) {
			server.Fail(c, err)
			return
		}
		s.worksheetRecord().Render(c, http.StatusUnprocessableEntity, id, func(d *prviews.WorksheetDetail) { d.AddForm = formOf(err, v) })
	}
	var in []WorksheetItemInput
	if c.PostForm("newSku") != "" || c.PostForm("newName") != "" {
		one := WorksheetItemInput{}
		if v["newSku"] != "" {
			sku := v["newSku"]
			one.NewSKU = &sku
		}
		if v["newName"] != "" {
			name := v["newName"]
			one.NewName = &name
		}
		if v["newSellPrice"] != "" {
			p, err := money.Parse(v["newSellPrice"])
			if err != nil {
				fail(models.FieldError("newSellPrice", "enter an amount like 12.99"))
				return
			}
			one.NewSellPrice = &p
		}
		in = append(in, one)
	} else {
		errs := models.Invalid()
		for _, line := range strings.Split(v["codes"], "\n") {
			code := strings.TrimSpace(line)
			if code == "" {
				continue
			}
			p, err := models.ProductByCode(ctx, s.db, code)
			if err != nil {
				if !errors.Is(err, models.ErrNotFound) {
					server.Fail(c, err)
					return
				}
				errs.Add("codes", "no product has the SKU or barcode "+code)
				continue
			}
			pid := p.ID
			in = append(in, WorksheetItemInput{ProductID: &pid})
		}
		if len(in) == 0 && len(errs.Fields) == 0 {
			errs.Add("codes", "enter at least one SKU or barcode")
		}
		if err := errs.Err(); err != nil {
			fail(err)
			return
		}
	}
	added, err := s.AddWorksheetItems(ctx, server.Actor(c), id, in)
	if err != nil {
		var e *models.Error
		if errors.As(err, &e) && e.Fields != nil {
			// Line-level messages belong to the codes box on this form.
			for k, msgs := range e.Fields {
				if strings.HasPrefix(k, "item") && !strings.HasPrefix(k, "item.new") {
					e.Fields["codes"] = append(e.Fields["codes"], msgs...)
				}
				if strings.HasPrefix(k, "item.new") {
					e.Fields[strings.TrimPrefix(k, "item.")] = msgs
				}
			}
		}
		fail(err)
		return
	}
	server.Flash(c, "success", fmt.Sprintf("%d line(s) added.", len(added)))
	server.Redirect(c, prviews.Path(id, ""))
}

// cellFields are the editable fields of a grid row, by form name.
var cellFields = []string{"newSellPrice", "newCostPrice", "newName", "newDescription", "newDepartmentId", "newTaxGroupId", "newSku", "newBarcode"}

// worksheetCellSubmit saves one cell (htmx, on change) or a whole row (no JavaScript): fields
// present in the form replace the line's values, the others keep theirs. htmx gets the row
// back; a plain post redirects to the worksheet.
func (s *Service) worksheetCellSubmit(c *gin.Context) {
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
	ctx := c.Request.Context()
	actor := server.Actor(c)
	w, err := s.GetWorksheet(ctx, actor, id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	n, cur := -1, models.WorksheetItem{}
	for i, it := range w.Items {
		if it.ID == itemID {
			n, cur = i, it
		}
	}
	if n < 0 {
		server.Fail(c, models.NotFound("worksheet line"))
		return
	}
	in, parseErrs := patchFrom(c, cur)
	var saveErr error
	if err := parseErrs.Err(); err != nil {
		saveErr = err
	} else if _, err := s.UpdateWorksheetItem(ctx, actor, id, itemID, in); err != nil {
		saveErr = err
	}
	if saveErr != nil && !errors.Is(saveErr, models.ErrValidation) {
		server.Fail(c, saveErr)
		return
	}
	if !server.IsHTMX(c) {
		if saveErr != nil {
			server.Flash(c, "error", fmt.Sprintf("Line %d: %s", n+1, server.Message(saveErr)))
		} else {
			server.Flash(c, "success", fmt.Sprintf("Line %d saved.", n+1))
		}
		server.Redirect(c, prviews.Path(id, ""))
		return
	}
	d, err := s.worksheetView(c, id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	row := d.Rows()[n]
	status := http.StatusOK
	if saveErr != nil {
		status = http.StatusUnprocessableEntity
		row.Errors = components.Errors{}
		for k, v := range components.ErrorsOf(saveErr) {
			row.Errors[strings.TrimPrefix(k, "item.")] = v
		}
		// Keep what was typed so it can be corrected.
		for _, f := range cellFields {
			if raw, ok := c.GetPostForm(f); ok && row.Errors[f] != nil {
				setTyped(&row.Item, f, raw)
			}
		}
	} else {
		row.Saved = true
	}
	server.Render(c, status, prviews.GridRow(n+1, row))
}

// patchFrom starts from the line's current values and replaces those present in the form.
func patchFrom(c *gin.Context, cur models.WorksheetItem) (WorksheetItemInput, *models.Error) {
	in := WorksheetItemInput{ProductID: cur.ProductID, NewSellPrice: cur.NewSellPrice, NewCostPrice: cur.NewCostPrice,
		NewName: cur.NewName, NewDescription: cur.NewDescription, NewDepartmentID: cur.NewDepartmentID,
		NewTaxGroupID: cur.NewTaxGroupID, NewSKU: cur.NewSKU, NewBarcode: cur.NewBarcode}
	errs := models.Invalid()
	money2 := func(name string, dst **int64) {
		raw, ok := c.GetPostForm(name)
		if !ok {
			return
		}
		if raw = strings.TrimSpace(raw); raw == "" {
			*dst = nil
			return
		}
		v, err := money.Parse(raw)
		if err != nil {
			errs.Add(name, "enter an amount like 12.99")
			return
		}
		*dst = &v
	}
	text := func(name string, dst **string) {
		raw, ok := c.GetPostForm(name)
		if !ok {
			return
		}
		if raw = strings.TrimSpace(raw); raw == "" {
			*dst = nil
			return
		}
		*dst = &raw
	}
	id := func(name string, dst **uuid.UUID) {
		raw, ok := c.GetPostForm(name)
		if !ok {
			return
		}
		if raw == "" {
			*dst = nil
			return
		}
		v, err := uuid.Parse(raw)
		if err != nil {
			errs.Add(name, "choose one")
			return
		}
		*dst = &v
	}
	money2("newSellPrice", &in.NewSellPrice)
	money2("newCostPrice", &in.NewCostPrice)
	text("newName", &in.NewName)
	text("newDescription", &in.NewDescription)
	text("newSku", &in.NewSKU)
	text("newBarcode", &in.NewBarcode)
	id("newDepartmentId", &in.NewDepartmentID)
	id("newTaxGroupId", &in.NewTaxGroupID)
	return in, errs
}

// setTyped shows a refused value in its cell as it was typed (money cells hold no text, so they
// are shown empty with the error beside them).
func setTyped(it *models.WorksheetItem, field, raw string) {
	switch field {
	case "newName":
		it.NewName = &raw
	case "newDescription":
		it.NewDescription = &raw
	case "newSku":
		it.NewSKU = &raw
	case "newBarcode":
		it.NewBarcode = &raw
	case "newSellPrice":
		it.NewSellPrice = nil
	case "newCostPrice":
		it.NewCostPrice = nil
	}
}

func (s *Service) removeWorksheetItemSubmit(c *gin.Context) {
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
	if !confirmed(c, "Remove this line from the worksheet?", prviews.Path(id, "")) {
		return
	}
	if err := s.RemoveWorksheetItem(c.Request.Context(), server.Actor(c), id, itemID); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Line removed.")
	server.Redirect(c, prviews.Path(id, ""))
}

// pastePricesSubmit fills newSellPrice down the grid from a pasted column (blank lines skip a
// row; "$1,299.00" and "12.5" are fine).
func (s *Service) pastePricesSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	raw := c.PostForm("prices")
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(raw, "\r\n", "\n"), "\n"), "\n")
	var prices []*int64
	errs := models.Invalid()
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			prices = append(prices, nil)
			continue
		}
		v, err := money.Parse(l)
		if err != nil {
			errs.Add("prices", fmt.Sprintf("line %d: %q is not an amount like 12.99", i+1, l))
			continue
		}
		prices = append(prices, &v)
	}
	err = errs.Err()
	if err == nil {
		_, err = s.FillSellPrices(c.Request.Context(), server.Actor(c), id, prices)
	}
	if err != nil {
		if errors.Is(err, models.ErrValidation) {
			s.worksheetRecord().Render(c, http.StatusUnprocessableEntity, id, func(d *prviews.WorksheetDetail) {
				d.PasteForm = formOf(err, map[string]string{"prices": raw})
			})
			return
		}
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", fmt.Sprintf("Filled %d price(s).", countSet(prices)))
	server.Redirect(c, prviews.Path(id, ""))
}

func countSet(ps []*int64) int {
	n := 0
	for _, p := range ps {
		if p != nil {
			n++
		}
	}
	return n
}

// ---- specials ----

func (s *Service) specialsPage(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	actor := server.Actor(c)
	f := SpecialFilter{Active: boolQuery(c, "active")}
	rows, total, err := s.ListSpecials(c.Request.Context(), actor, f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	var stores []models.Store
	if err := s.db.WithContext(c.Request.Context()).Select("id", "code").Find(&stores).Error; err != nil {
		server.Fail(c, err)
		return
	}
	d := prviews.SpecialList{Rows: rows, Active: c.Query("active"), CanManage: actor.Can(PermSpecialsManage), Stores: map[string]string{},
		Pager: components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: "#special-table"}}
	for _, st := range stores {
		d.Stores[st.ID.String()] = st.Code
	}
	page := server.PageOf(c, "Specials", navKey)
	server.RenderPage(c, http.StatusOK, prviews.SpecialsPage(page, d), prviews.SpecialTable(page, d))
}

func (s *Service) renderSpecialForm(c *gin.Context, status int, id string, form prviews.Form, chosen map[string]bool) {
	stores, err := s.storeOptions(c, PermSpecialsManage)
	if err != nil {
		server.Fail(c, err)
		return
	}
	title := "New special"
	if id != "" {
		title = "Edit special"
	}
	server.Render(c, status, prviews.SpecialFormPage(server.PageOf(c, title, navKey), prviews.SpecialForm{ID: id, Form: form, Stores: stores, Chosen: chosen}))
}

func (s *Service) newSpecialPage(c *gin.Context) {
	today := time.Now().Format(models.DateLayout)
	s.renderSpecialForm(c, http.StatusOK, "", prviews.Form{Values: map[string]string{"startDate": today, "endDate": today}}, nil)
}

func (s *Service) editSpecialPage(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	sp, err := s.GetSpecial(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	v := map[string]string{"specialPrice": money.Decimal(sp.SpecialPrice), "startDate": sp.StartDate.String(), "endDate": sp.EndDate.String(),
		"description": sp.Description, "isActive": fmt.Sprint(sp.IsActive)}
	if sp.Product != nil {
		v["productCode"] = sp.Product.SKU
	}
	chosen := map[string]bool{}
	for _, st := range sp.StoreIDs {
		chosen[st] = true
	}
	s.renderSpecialForm(c, http.StatusOK, id.String(), prviews.Form{Values: v}, chosen)
}

func (s *Service) saveSpecialSubmit(c *gin.Context) {
	var id uuid.UUID
	if c.Param("id") != "" {
		var err error
		if id, err = server.IDParam(c, "id"); err != nil {
			server.Fail(c, err)
			return
		}
	}
	ctx := c.Request.Context()
	v := values(c, "productCode", "specialPrice", "startDate", "endDate", "description", "isActive")
	ids, chosen := storeIDs(c)
	active := v["isActive"] != "false"
	in := SpecialInput{StartDate: v["startDate"], EndDate: v["endDate"], Description: v["description"], StoreIDs: ids, IsActive: &active}
	idStr := ""
	if id != uuid.Nil {
		idStr = id.String()
	}
	fail := func(err error) {
		if errors.Is(err, models.ErrValidation) {
			e := components.ErrorsOf(err)
			if e["productId"] != nil {
				e["productCode"] = e["productId"]
			}
			s.renderSpecialForm(c, http.StatusUnprocessableEntity, idStr, prviews.Form{Values: v, Errors: e, Message: server.Message(err)}, chosen)
			return
		}
		server.Fail(c, err)
	}
	errs := models.Invalid()
	if p, err := models.ProductByCode(ctx, s.db, v["productCode"]); err != nil {
		if !errors.Is(err, models.ErrNotFound) {
			server.Fail(c, err)
			return
		}
		errs.Add("productCode", "no product has this SKU or barcode")
	} else {
		in.ProductID = p.ID
	}
	if price, err := money.Parse(v["specialPrice"]); err != nil || price < 0 {
		errs.Add("specialPrice", "enter an amount like 9.99")
	} else {
		in.SpecialPrice = price
	}
	if err := errs.Err(); err != nil {
		fail(err)
		return
	}
	var err error
	if id == uuid.Nil {
		_, err = s.CreateSpecial(ctx, server.Actor(c), in)
	} else {
		_, err = s.UpdateSpecial(ctx, server.Actor(c), id, in)
	}
	if err != nil {
		fail(err)
		return
	}
	server.Flash(c, "success", "Special saved.")
	server.Redirect(c, "/specials")
}

func (s *Service) specialActiveSubmit(active bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := server.IDParam(c, "id")
		if err != nil {
			server.Fail(c, err)
			return
		}
		if !active && !confirmed(c, "End this special now?", "/specials") {
			return
		}
		if _, err := s.SetSpecialActive(c.Request.Context(), server.Actor(c), id, active); err != nil {
			server.Fail(c, err)
			return
		}
		if active {
			server.Flash(c, "success", "Special activated.")
		} else {
			server.Flash(c, "success", "Special deactivated.")
		}
		server.Redirect(c, "/specials")
	}
}

func (s *Service) deleteSpecialSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !confirmed(c, "Delete this special?", "/specials") {
		return
	}
	if err := s.DeleteSpecial(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Special deleted.")
	server.Redirect(c, "/specials")
}

// ---- store prices ----

func (s *Service) storePricesData(c *gin.Context, form prviews.Form) (prviews.StorePriceList, error) {
	p, err := server.PageParams(c)
	if err != nil {
		return prviews.StorePriceList{}, err
	}
	actor := server.Actor(c)
	var f StorePriceFilter
	if f.StoreID, err = server.UUIDQuery(c, "store_id", "storeId"); err != nil {
		return prviews.StorePriceList{}, err
	}
	rows, total, err := s.ListStorePrices(c.Request.Context(), actor, f, p)
	if err != nil {
		return prviews.StorePriceList{}, err
	}
	stores, err := s.storeOptions(c, PermStorePricesView)
	if err != nil {
		return prviews.StorePriceList{}, err
	}
	d := prviews.StorePriceList{Rows: rows, Stores: stores, CanManage: actor.Can(PermStorePricesManage), Form: form,
		Pager: components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: "#store-price-table"}}
	if f.StoreID != nil {
		d.StoreID = f.StoreID.String()
	}
	return d, nil
}

func (s *Service) storePricesPage(c *gin.Context) {
	d, err := s.storePricesData(c, prviews.Form{})
	if err != nil {
		server.Fail(c, err)
		return
	}
	page := server.PageOf(c, "Store prices", navKey)
	server.RenderPage(c, http.StatusOK, prviews.StorePricesPage(page, d), prviews.StorePriceTable(page, d))
}

func (s *Service) storePriceSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	v := values(c, "storeId", "productCode", "price")
	errs := models.Invalid()
	var in StorePriceInput
	if id, err := uuid.Parse(v["storeId"]); err != nil {
		errs.Add("storeId", "choose a store")
	} else {
		in.StoreID = id
	}
	if p, err := models.ProductByCode(ctx, s.db, v["productCode"]); err != nil {
		if !errors.Is(err, models.ErrNotFound) {
			server.Fail(c, err)
			return
		}
		errs.Add("productCode", "no product has this SKU or barcode")
	} else {
		in.ProductID = p.ID
	}
	if price, err := money.Parse(v["price"]); err != nil || price < 0 {
		errs.Add("price", "enter an amount like 12.49")
	} else {
		in.Price = price
	}
	err := errs.Err()
	if err == nil {
		_, err = s.UpsertStorePrice(ctx, server.Actor(c), in)
	}
	if err != nil {
		if !errors.Is(err, models.ErrValidation) {
			server.Fail(c, err)
			return
		}
		d, derr := s.storePricesData(c, formOf(err, v))
		if derr != nil {
			server.Fail(c, derr)
			return
		}
		server.Render(c, http.StatusUnprocessableEntity, prviews.StorePricesPage(server.PageOf(c, "Store prices", navKey), d))
		return
	}
	server.Flash(c, "success", "Store price saved.")
	server.Redirect(c, "/store-prices?store_id="+in.StoreID.String())
}

func (s *Service) deleteStorePriceSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !confirmed(c, "Remove this store price? The base price applies again.", "/store-prices") {
		return
	}
	if err := s.DeleteStorePrice(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Store price removed.")
	server.Redirect(c, "/store-prices")
}

// priceHistoryPage is a product's price history: the fragment the product page loads, or a page.
func (s *Service) priceHistoryPage(c *gin.Context) {
	id, err := server.IDParam(c, "productId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var p models.Product
	if err := s.db.WithContext(c.Request.Context()).Select("id", "name").Take(&p, "id = ?", id).Error; err != nil {
		server.Fail(c, models.NotFoundIf(err, "product"))
		return
	}
	rows, err := s.PriceHistory(c.Request.Context(), id, 100)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.RenderPage(c, http.StatusOK,
		prviews.PriceHistoryPage(server.PageOf(c, "Price history", "catalogue"), p.Name, id.String(), rows),
		prviews.PriceHistory(rows))
}
