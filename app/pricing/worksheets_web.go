package pricing

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/audit"
	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	prviews "backroom/views/pricing"
)

// ---- worksheets ----

func (s *Service) worksheetsPage(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := server.QueryOf[WorksheetFilter](c)
	if err != nil {
		server.Fail(c, err)
		return
	}
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
	due := false
	if w.Status == models.WSApproved {
		var err error
		if due, err = isDue(ctx, s.db, id, time.Now()); err != nil {
			return d, err
		}
		d.Scheduled = !due
	}
	d.Can = prviews.WSActions(WorksheetAllowed(actor, w, due))
	d.CSRF = server.CSRFToken(c)
	return d, nil
}

// renderWorksheet writes the worksheet page of id with status; adjust (nil for none) puts a
// refused form's values and errors into it.
func (s *Service) renderWorksheet(c *gin.Context, status int, id uuid.UUID, adjust func(*prviews.WorksheetDetail)) {
	v, err := s.worksheetView(c, id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if adjust != nil {
		adjust(&v)
	}
	server.Render(c, status, prviews.WorksheetPage(server.PageOf(c, "Worksheet "+v.W.Number, navKey), v))
}

func (s *Service) worksheetPage(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	s.renderWorksheet(c, http.StatusOK, id, nil)
}

func (s *Service) submitWorksheetSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	w, err := s.SubmitWorksheet(c.Request.Context(), server.Actor(c), id)
	s.moved(c, id, err, w.Number, "Submitted for approval.")
}

// moved ends a transition post: done, it goes back to the worksheet with "<number>: <done>";
// refused (a line incomplete, or the worksheet moved on), the worksheet's own page comes back
// with the refusal's status, the reason in words at the top and the failing lines marked. An
// htmx post gets the same words as a flash.
func (s *Service) moved(c *gin.Context, id uuid.UUID, err error, number, done string) {
	labels := func() map[string]string {
		typ := ""
		if w, gerr := s.GetWorksheet(c.Request.Context(), server.Actor(c), id); gerr == nil {
			typ = w.Type
		}
		return prviews.Labels(typ)
	}
	if status, ok := server.RefusedOnPage(c, err, labels, number, done, worksheetPath(id)); ok {
		s.renderWorksheet(c, status, id, func(d *prviews.WorksheetDetail) {
			d.Refused = components.RefusalOf(err, server.Message(err), prviews.Labels(d.W.Type))
		})
	}
}

func (s *Service) approveWorksheetSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	w, err := s.ApproveWorksheet(c.Request.Context(), server.Actor(c), id)
	s.moved(c, id, err, w.Number, "Approved.")
}

func (s *Service) applyWorksheetSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !confirmed(c, "Apply this worksheet now?", worksheetPath(id)) {
		return
	}
	w, err := s.ApplyWorksheet(c.Request.Context(), server.Actor(c), id)
	s.moved(c, id, err, w.Number, "Applied: the products have their new values.")
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
			server.Flash(c, "error", components.RefusalOf(err, server.Message(err), prviews.Labels("")).Text())
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
		s.renderWorksheet(c, http.StatusUnprocessableEntity, id, func(d *prviews.WorksheetDetail) { d.AddForm = formOf(err, v) })
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
			s.renderWorksheet(c, http.StatusUnprocessableEntity, id, func(d *prviews.WorksheetDetail) {
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
