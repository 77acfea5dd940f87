package catalog

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	views "backroom/views/catalog"
	"backroom/views/components"
	"backroom/views/layout"
)

const navKey = "catalogue"

func (s *Service) mountWeb(web *gin.RouterGroup, r resources) {
	view, create, edit, del := server.Require("products.view"), server.Require("products.create"), server.Require("products.edit"), server.Require("products.delete")

	web.GET("/products", view, s.productsIndex)
	web.GET("/products/new", create, s.productsNew)
	web.POST("/products", create, s.productsCreate)
	web.GET("/products/:id", view, s.productsShow)
	web.GET("/products/:id/edit", edit, s.productsEdit)
	web.POST("/products/:id", edit, s.productsUpdate)
	web.POST("/products/:id/toggle-active", edit, s.productsToggle)
	web.GET("/products/:id/delete", del, s.productsDeleteConfirm)
	web.POST("/products/:id/delete", del, s.productsDelete)
	web.POST("/products/:id/suppliers", edit, s.productSuppliersCreate)
	web.POST("/products/:id/suppliers/:supplierId", edit, s.productSuppliersUpdate)
	web.GET("/products/:id/suppliers/:supplierId/delete", edit, s.productSuppliersDeleteConfirm)
	web.POST("/products/:id/suppliers/:supplierId/delete", edit, s.productSuppliersDelete)

	departments := s.departmentPages(r)
	web.GET("/departments", view, s.departmentsIndex)
	web.GET("/departments/new", create, s.departmentsNew)
	web.POST("/departments", create, departments.createPost)
	web.GET("/departments/:id/edit", edit, departments.editPage)
	web.POST("/departments/:id", edit, departments.updatePost)
	web.GET("/departments/:id/delete", del, departments.confirmDeletePage)
	web.POST("/departments/:id/delete", del, departments.deletePost)

	// Rates and groups share the taxes page; their forms read more than field for field, so
	// they keep their own create and update handlers.
	taxRates, taxGroups := s.taxRatePages(r), s.taxGroupPages(r)
	taxView, taxManage := server.Require("taxes.view"), server.Require("taxes.manage")
	web.GET("/taxes", taxView, s.taxesIndex)
	web.GET("/taxes/new", taxManage, s.taxRatesNew)
	web.POST("/taxes", taxManage, s.taxRatesCreate)
	web.GET("/taxes/groups/new", taxManage, s.taxGroupsNew)
	web.POST("/taxes/groups", taxManage, s.taxGroupsCreate)
	web.GET("/taxes/groups/:id/edit", taxManage, s.taxGroupsEdit)
	web.POST("/taxes/groups/:id", taxManage, s.taxGroupsUpdate)
	web.GET("/taxes/groups/:id/delete", taxManage, taxGroups.confirmDeletePage)
	web.POST("/taxes/groups/:id/delete", taxManage, taxGroups.deletePost)
	web.GET("/taxes/:id/edit", taxManage, taxRates.editPage)
	web.POST("/taxes/:id", taxManage, s.taxRatesUpdate)
	web.GET("/taxes/:id/delete", taxManage, taxRates.confirmDeletePage)
	web.POST("/taxes/:id/delete", taxManage, taxRates.deletePost)

	suppliers := s.supplierPages(r)
	web.GET("/suppliers", server.Require("suppliers.view"), s.suppliersIndex)
	web.GET("/suppliers/new", server.Require("suppliers.create"), s.suppliersNew)
	web.POST("/suppliers", server.Require("suppliers.create"), suppliers.createPost)
	web.GET("/suppliers/:id/edit", server.Require("suppliers.edit"), suppliers.editPage)
	web.POST("/suppliers/:id", server.Require("suppliers.edit"), suppliers.updatePost)
	web.GET("/suppliers/:id/delete", server.Require("suppliers.delete"), suppliers.confirmDeletePage)
	web.POST("/suppliers/:id/delete", server.Require("suppliers.delete"), suppliers.deletePost)

	units := s.unitPages(r)
	web.GET("/units", view, s.unitsIndex)
	web.GET("/units/new", create, s.unitsNew)
	web.POST("/units", create, units.createPost)
	web.GET("/units/:id/edit", edit, units.editPage)
	web.POST("/units/:id", edit, units.updatePost)
	web.GET("/units/:id/delete", del, units.confirmDeletePage)
	web.POST("/units/:id/delete", del, units.deletePost)
}

// page is the shell data for a catalogue page.
func page(c *gin.Context, title string) layout.Page { return server.PageOf(c, title, navKey) }

// saved ends a successful form post: flash, then 303 to the next page.
func saved(c *gin.Context, msg, to string) {
	server.Flash(c, "success", msg)
	server.Redirect(c, to)
}

// formFailed re-renders a form whose save was refused for a reason the person can fix (422
// invalid fields, 409 a taken name), with the messages beside the fields; anything else goes
// to the central error exit. It reports whether the request is finished.
func formFailed(c *gin.Context, err error, form *views.Form, render func() templ.Component) {
	status := server.Status(err)
	if status != http.StatusUnprocessableEntity && status != http.StatusConflict {
		server.Fail(c, err)
		return
	}
	form.Errors = components.ErrorsOf(err)
	form.Message = server.Message(err)
	server.Render(c, status, render())
}

// formValues copies the posted fields names into a Form (checkboxes take their last value:
// a hidden "false" precedes the box).
func formValues(c *gin.Context, names ...string) views.Form {
	f := views.Form{Values: map[string]string{}}
	for _, n := range names {
		vs := c.PostFormArray(n)
		if len(vs) > 0 {
			f.Values[n] = strings.TrimSpace(vs[len(vs)-1])
		}
	}
	return f
}

// idParam is the :id of a page or API route; a malformed one answers 404 naming what
// ("tax rate not found"), as an unknown one does.
func idParam(c *gin.Context, what string) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		server.Fail(c, models.NotFound(what))
		return uuid.Nil, false
	}
	return id, true
}

// ptr returns a pointer to s, or nil when s is blank.
func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// flag reads a checkbox value.
func flag(v string) *bool {
	b := v == "true" || v == "on"
	return &b
}

// moneyField parses a money input ("12.99"); blank is zero. A bad value is added to e.
func moneyField(e *models.Error, name, v string) int64 {
	if v == "" {
		return 0
	}
	cents, err := money.Parse(v)
	if err != nil {
		e.Add(name, "must be an amount such as 12.99")
		return 0
	}
	if cents < 0 {
		e.Add(name, "must not be negative")
	}
	return cents
}

// merge adds the fields of a validation error to e (so parse errors and rule errors show
// together).
func merge(e *models.Error, err error) error {
	var ve *models.Error
	if err == nil {
		return nil
	}
	if !errors.As(err, &ve) || !errors.Is(err, models.ErrValidation) {
		return err
	}
	for k, msgs := range ve.Fields {
		for _, m := range msgs {
			e.Add(k, m)
		}
	}
	return nil
}

// ---- pages every kind of record has

// recordPages are the pages of one kind of record (department, tax rate, tax group, supplier,
// unit) that work alike for all of them: the edit form, the delete confirmation and the delete
// (a refusal, such as a record still in use, returns to the list as a flash), and, for a kind
// whose form maps onto its input field for field, the create and update posts. Tax rates and
// tax groups read their forms in more than that, so they keep their own create and update
// handlers (tax groups their edit form too) and leave the fields only those use empty.
// Products have pages of their own.
type recordPages[T, In any] struct {
	resource[T, In]
	path       string         // where the record's pages start: "/taxes/groups" for /taxes/groups/:id/edit
	list       string         // the page a save or a delete returns to: "/taxes"
	nameOf     func(T) string // what the confirmation and the flashes call a record
	deleteNote string         // on the delete confirmation: when a delete is refused

	// form renders the new (id uuid.Nil) or edit form with these values and err's messages.
	form     func(c *gin.Context, id uuid.UUID, form views.Form, err error)
	valuesOf func(T) map[string]string // a record as the edit form first shows it
	fields   []string                  // the form's posted fields
	read     func(views.Form) In       // the posted form as the service's input
}

func (p recordPages[T, In]) editPage(c *gin.Context) {
	if id, v, ok := p.fromPath(c); ok {
		p.form(c, id, views.Form{Values: p.valuesOf(v)}, nil)
	}
}

func (p recordPages[T, In]) createPost(c *gin.Context) {
	form := formValues(c, p.fields...)
	v, err := p.create(c.Request.Context(), server.Actor(c), p.read(form))
	if err != nil {
		p.form(c, uuid.Nil, form, err)
		return
	}
	saved(c, capitalised(p.noun)+" "+p.nameOf(v)+" created.", p.list)
}

func (p recordPages[T, In]) updatePost(c *gin.Context) {
	id, ok := idParam(c, p.noun)
	if !ok {
		return
	}
	form := formValues(c, p.fields...)
	v, err := p.update(c.Request.Context(), server.Actor(c), id, p.read(form))
	if err != nil {
		p.form(c, id, form, err)
		return
	}
	saved(c, capitalised(p.noun)+" "+p.nameOf(v)+" saved.", p.list)
}

func (p recordPages[T, In]) confirmDeletePage(c *gin.Context) {
	id, v, ok := p.fromPath(c)
	if !ok {
		return
	}
	confirm(c, views.Confirm{Title: "Delete " + p.noun + " " + p.nameOf(v) + "?", Button: "Delete " + p.noun,
		Message: p.deleteNote, Action: p.path + "/" + id.String() + "/delete", Cancel: p.list})
}

func (p recordPages[T, In]) deletePost(c *gin.Context) {
	id, ok := idParam(c, p.noun)
	if !ok {
		return
	}
	if err := p.remove(c.Request.Context(), server.Actor(c), id); err != nil {
		// A refused delete (409, the record is in use) is told on the list it came from.
		if server.Status(err) == http.StatusConflict {
			server.Flash(c, "error", server.Message(err))
			server.Redirect(c, p.list)
			return
		}
		server.Fail(c, err)
		return
	}
	saved(c, capitalised(p.noun)+" deleted.", p.list)
}

// editForm renders the new (id uuid.Nil) or edit form of a record whose page takes an
// EditForm, titled after noun, with err's messages beside the fields when err is set.
func editForm(c *gin.Context, noun string, id uuid.UUID, d views.EditForm, err error, pageOf func(layout.Page, views.EditForm) templ.Component) {
	title := "New " + noun
	if id != uuid.Nil {
		d.ID, title = id.String(), "Edit "+noun
	}
	render := func() templ.Component { return pageOf(page(c, title), d) }
	if err != nil {
		formFailed(c, err, &d.Form, render)
		return
	}
	server.Render(c, http.StatusOK, render())
}

// capitalised starts a sentence with noun: "tax rate" → "Tax rate".
func capitalised(noun string) string { return strings.ToUpper(noun[:1]) + noun[1:] }

// ---- option lists for selects

func (s *Service) departmentOptions(ctx context.Context, blank string, exclude uuid.UUID) ([]components.Option, error) {
	rows, err := s.ListDepartments(ctx, ActiveAll)
	if err != nil {
		return nil, err
	}
	opts := []components.Option{}
	if blank != "" {
		opts = append(opts, components.Option{Value: "", Label: blank})
	}
	// A department cannot move under itself or its own sub-departments: those are left out.
	below := pathOf(rows, exclude) + " › "
	for _, r := range rows {
		if exclude != uuid.Nil && (r.ID == exclude || strings.HasPrefix(r.Path, below)) {
			continue
		}
		label := r.Path
		if !r.IsActive {
			label += " (inactive)"
		}
		opts = append(opts, components.Option{Value: r.ID.String(), Label: label})
	}
	return opts, nil
}

func pathOf(rows []DepartmentRow, id uuid.UUID) string {
	for _, r := range rows {
		if r.ID == id {
			return r.Path
		}
	}
	return "\x00"
}

func (s *Service) taxGroupOptions(ctx context.Context) ([]components.Option, error) {
	groups, err := s.ListTaxGroups(ctx)
	if err != nil {
		return nil, err
	}
	opts := []components.Option{{Value: "", Label: "No tax"}}
	for _, g := range groups {
		opts = append(opts, components.Option{Value: g.ID.String(), Label: g.Name + " (" + views.GroupRates(g.Rates) + ")"})
	}
	return opts, nil
}

func (s *Service) unitOptions(ctx context.Context) ([]components.Option, error) {
	units, err := s.ListUnits(ctx, ActiveOnly)
	if err != nil {
		return nil, err
	}
	opts := make([]components.Option, len(units))
	for i, u := range units {
		opts[i] = components.Option{Value: u.ID.String(), Label: u.Name}
	}
	return opts, nil
}

// ---- products

func (s *Service) productsIndex(c *gin.Context) {
	f, err := ProductFilterOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	rows, total, err := s.ListProducts(ctx, f)
	if err != nil {
		server.Fail(c, err)
		return
	}
	d := views.ProductList{Rows: rows, Search: f.Search, Active: string(f.Active), CanCreate: server.Actor(c).Can("products.create"),
		Pager: components.Pager{Page: f.Page.Page, PageSize: f.Page.PageSize, Total: total, URL: listURL(c), Target: "#product-table"}}
	if f.DepartmentID != nil {
		d.DepartmentID = f.DepartmentID.String()
	}
	if server.IsHTMX(c) {
		server.Render(c, http.StatusOK, views.ProductTable(d))
		return
	}
	if d.Departments, err = s.departmentOptions(ctx, "", uuid.Nil); err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.ProductsPage(page(c, "Products"), d))
}

// listURL is the list's own URL (the global search's q becomes search, so links keep it).
func listURL(c *gin.Context) *url.URL {
	u := *c.Request.URL
	q := u.Query()
	if q.Get("search") == "" && q.Get("q") != "" {
		q.Set("search", q.Get("q"))
	}
	q.Del("q")
	u.RawQuery = q.Encode()
	return &u
}

// productForm builds the new/edit page with its select options.
func (s *Service) productForm(ctx context.Context, id uuid.UUID, sku string, form views.Form) (views.ProductForm, error) {
	d := views.ProductForm{SKU: sku, Form: form}
	if id != uuid.Nil {
		d.ID = id.String()
	}
	var err error
	if d.Departments, err = s.departmentOptions(ctx, "No department", uuid.Nil); err != nil {
		return d, err
	}
	if d.TaxGroups, err = s.taxGroupOptions(ctx); err != nil {
		return d, err
	}
	d.Units, err = s.unitOptions(ctx)
	return d, err
}

// productFormOf shows a product's current values as typed.
func productFormOf(in ProductInput) views.Form {
	v := map[string]string{
		"sku": in.SKU, "name": in.Name, "barcode": views.Text(in.Barcode), "description": in.Description,
		"departmentId": views.Text(in.DepartmentID), "taxGroupId": views.Text(in.TaxGroupID),
		"sellPrice": money.Decimal(in.SellPrice), "costPrice": money.Decimal(in.CostPrice),
		"purchaseUnitId": views.Text(in.PurchaseUnitID), "consumptionUnitId": views.Text(in.ConsumptionUnitID),
		"trackStock": strconv.FormatBool(boolOr(in.TrackStock, true)),
	}
	return views.Form{Values: v}
}

var productFields = []string{"sku", "name", "barcode", "description", "departmentId", "taxGroupId", "sellPrice", "costPrice", "purchaseUnitId", "consumptionUnitId", "trackStock"}

// productInputOf reads the posted product form over base; money fields that do not parse are
// reported in the returned error together with the service's own checks.
func productInputOf(form views.Form, base ProductInput) (ProductInput, *models.Error) {
	e := models.Invalid()
	in := base
	v := form.Values
	if sku, ok := v["sku"]; ok {
		in.SKU = sku
	}
	in.Name, in.Barcode, in.Description = v["name"], ptr(v["barcode"]), v["description"]
	in.DepartmentID, in.TaxGroupID = ptr(v["departmentId"]), ptr(v["taxGroupId"])
	in.PurchaseUnitID, in.ConsumptionUnitID = ptr(v["purchaseUnitId"]), ptr(v["consumptionUnitId"])
	in.SellPrice = moneyField(e, "sellPrice", v["sellPrice"])
	in.CostPrice = moneyField(e, "costPrice", v["costPrice"])
	in.TrackStock = flag(v["trackStock"])
	return in, e
}

// withProductChecks adds the service's own findings about in (required fields, barcode,
// unknown ids) to the form's parse errors e, so the person sees every problem at once.
func (s *Service) withProductChecks(ctx context.Context, e *models.Error, in ProductInput) error {
	if err := merge(e, s.applyProduct(s.db.WithContext(ctx), in, &models.Product{})); err != nil {
		return err
	}
	return e.Err()
}

func (s *Service) productsNew(c *gin.Context) {
	form := productFormOf(ProductInput{})
	form.Values["sellPrice"], form.Values["costPrice"] = "", ""
	form.Values["purchaseUnitId"], form.Values["consumptionUnitId"] = models.EachUnitID.String(), models.EachUnitID.String()
	if dep := c.Query("departmentId"); dep != "" {
		form.Values["departmentId"] = dep
	}
	d, err := s.productForm(c.Request.Context(), uuid.Nil, "", form)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.ProductFormPage(page(c, "New product"), d))
}

func (s *Service) productsCreate(c *gin.Context) {
	ctx := c.Request.Context()
	form := formValues(c, productFields...)
	in, e := productInputOf(form, ProductInput{})
	var p ProductDetail
	err := e.Err()
	if err == nil {
		p, err = s.CreateProduct(ctx, server.Actor(c), in)
	} else {
		err = s.withProductChecks(ctx, e, in)
	}
	if err != nil {
		d, ferr := s.productForm(ctx, uuid.Nil, "", form)
		if ferr != nil {
			server.Fail(c, ferr)
			return
		}
		formFailed(c, err, &d.Form, func() templ.Component { return views.ProductFormPage(page(c, "New product"), d) })
		return
	}
	saved(c, fmt.Sprintf("Product %s created.", p.SKU), "/products/"+p.ID.String())
}

func (s *Service) productsShow(c *gin.Context) {
	id, ok := idParam(c, "product")
	if !ok {
		return
	}
	d, err := s.productPage(c, id, views.Form{Values: map[string]string{"isPreferred": "false"}})
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.ProductPage(page(c, d.Product.Name), d))
}

// productPage gathers the product page: details, supplier links, the suppliers that can still
// be linked, history, and what the actor may do.
func (s *Service) productPage(c *gin.Context, id uuid.UUID, linkForm views.Form) (views.ProductDetail, error) {
	ctx := c.Request.Context()
	a := server.Actor(c)
	p, err := s.Product(ctx, id)
	if err != nil {
		return views.ProductDetail{}, err
	}
	d := views.ProductDetail{Product: p, LinkForm: linkForm, CanEdit: a.Can("products.edit"), CanDelete: a.Can("products.delete")}
	if p.DepartmentID != nil {
		var dep []DepartmentRow
		if dep, err = s.ListDepartments(ctx, ActiveAll); err != nil {
			return d, err
		}
		d.Department = pathOf(dep, *p.DepartmentID)
	}
	if d.Links, err = s.ProductSuppliers(ctx, id); err != nil {
		return d, err
	}
	if d.CanEdit {
		linked := map[uuid.UUID]bool{}
		for _, l := range d.Links {
			linked[l.SupplierID] = true
		}
		var sups []models.Supplier
		if err := s.db.WithContext(ctx).Where("is_active").Order("lower(name)").Find(&sups).Error; err != nil {
			return d, err
		}
		d.Suppliers = []components.Option{{Value: "", Label: "Choose a supplier"}}
		for _, sp := range sups {
			if !linked[sp.ID] {
				d.Suppliers = append(d.Suppliers, components.Option{Value: sp.ID.String(), Label: sp.Name})
			}
		}
		if len(d.Suppliers) == 1 {
			d.Suppliers = nil
		}
	}
	err = s.db.WithContext(ctx).Where("entity_type = ? AND entity_id = ?", "product", id).
		Order("created_at DESC").Limit(20).Find(&d.History).Error
	return d, err
}

// productToEdit reads the product the route's :id names as it stands, for its edit form.
// When it cannot it has answered the request, and ok is false.
func (s *Service) productToEdit(c *gin.Context) (id uuid.UUID, cur ProductInput, ok bool) {
	if id, ok = idParam(c, "product"); !ok {
		return id, cur, false
	}
	cur, err := s.ProductForUpdate(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return id, cur, false
	}
	return id, cur, true
}

func (s *Service) productsEdit(c *gin.Context) {
	id, cur, ok := s.productToEdit(c)
	if !ok {
		return
	}
	d, err := s.productForm(c.Request.Context(), id, cur.SKU, productFormOf(cur))
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.ProductFormPage(page(c, "Edit "+cur.Name), d))
}

func (s *Service) productsUpdate(c *gin.Context) {
	id, cur, ok := s.productToEdit(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	form := formValues(c, productFields...)
	delete(form.Values, "sku") // the SKU is not editable here
	in, e := productInputOf(form, cur)
	err := e.Err()
	if err == nil {
		_, err = s.UpdateProduct(ctx, server.Actor(c), id, in)
	} else {
		err = s.withProductChecks(ctx, e, in)
	}
	if err != nil {
		d, ferr := s.productForm(ctx, id, cur.SKU, form)
		if ferr != nil {
			server.Fail(c, ferr)
			return
		}
		formFailed(c, err, &d.Form, func() templ.Component { return views.ProductFormPage(page(c, "Edit "+cur.Name), d) })
		return
	}
	saved(c, fmt.Sprintf("Product %s saved.", cur.SKU), "/products/"+id.String())
}

func (s *Service) productsToggle(c *gin.Context) {
	id, ok := idParam(c, "product")
	if !ok {
		return
	}
	p, err := s.ToggleProductActive(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	state := "deactivated"
	if p.IsActive {
		state = "activated"
	}
	saved(c, fmt.Sprintf("Product %s %s.", p.SKU, state), "/products/"+id.String())
}

func (s *Service) productsDeleteConfirm(c *gin.Context) {
	id, ok := idParam(c, "product")
	if !ok {
		return
	}
	p, err := s.Product(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	confirm(c, views.Confirm{Title: "Delete " + p.Name + "?", Button: "Delete product",
		Message: "It disappears from lists and the tills; past sales, stock movements and orders keep it.",
		Action:  "/products/" + id.String() + "/delete", Cancel: "/products/" + id.String()})
}

func (s *Service) productsDelete(c *gin.Context) {
	id, ok := idParam(c, "product")
	if !ok {
		return
	}
	p, err := s.Product(c.Request.Context(), id)
	if err == nil {
		err = s.DeleteProduct(c.Request.Context(), server.Actor(c), id)
	}
	if err != nil {
		server.Fail(c, err)
		return
	}
	saved(c, fmt.Sprintf("Product %s deleted.", p.SKU), "/products")
}

func confirm(c *gin.Context, d views.Confirm) {
	server.Render(c, http.StatusOK, views.ConfirmPage(page(c, d.Title), d))
}

var linkFields = []string{"supplierId", "supplierSku", "cost", "isPreferred"}

// linkInputOf reads a supplier link form.
func linkInputOf(form views.Form) (SupplierLinkInput, *models.Error) {
	e := models.Invalid()
	v := form.Values
	in := SupplierLinkInput{SupplierID: v["supplierId"], IsPreferred: flag(v["isPreferred"])}
	if sku, ok := v["supplierSku"]; ok {
		in.SupplierSKU = &sku
	}
	if _, ok := v["cost"]; ok {
		cost := moneyField(e, "cost", v["cost"])
		in.Cost = &cost
	}
	return in, e
}

func (s *Service) productSuppliersCreate(c *gin.Context) {
	id, ok := idParam(c, "product")
	if !ok {
		return
	}
	form := formValues(c, linkFields...)
	in, e := linkInputOf(form)
	err := e.Err()
	if err == nil {
		_, err = s.LinkSupplier(c.Request.Context(), server.Actor(c), id, in)
	}
	if err != nil {
		d, perr := s.productPage(c, id, form)
		if perr != nil {
			server.Fail(c, perr)
			return
		}
		formFailed(c, err, &d.LinkForm, func() templ.Component { return views.ProductPage(page(c, d.Product.Name), d) })
		return
	}
	saved(c, "Supplier linked.", "/products/"+id.String())
}

// linkParams reads the product and supplier of a link route.
func linkParams(c *gin.Context) (uuid.UUID, uuid.UUID, bool) {
	p, sp, err := linkIDs(c)
	if err != nil {
		server.Fail(c, err)
		return p, sp, false
	}
	return p, sp, true
}

func (s *Service) productSuppliersUpdate(c *gin.Context) {
	p, sp, ok := linkParams(c)
	if !ok {
		return
	}
	form := formValues(c, "supplierSku", "cost", "isPreferred")
	in, e := linkInputOf(form)
	err := e.Err()
	if err == nil {
		_, err = s.UpdateSupplierLink(c.Request.Context(), server.Actor(c), p, sp, in)
	}
	if err != nil {
		// The row's inline form has no room for messages: they go to the flash on the page.
		if st := server.Status(err); st == http.StatusUnprocessableEntity || st == http.StatusConflict {
			server.Flash(c, "error", server.Message(err))
			server.Redirect(c, "/products/"+p.String())
			return
		}
		server.Fail(c, err)
		return
	}
	saved(c, "Supplier link saved.", "/products/"+p.String())
}

func (s *Service) productSuppliersDeleteConfirm(c *gin.Context) {
	p, sp, ok := linkParams(c)
	if !ok {
		return
	}
	link, err := s.supplierLink(c.Request.Context(), p, sp)
	if err != nil {
		server.Fail(c, err)
		return
	}
	confirm(c, views.Confirm{Title: "Remove " + link.Supplier.Name + "?", Button: "Remove supplier",
		Message: "The product will no longer be ordered from this supplier.",
		Action:  fmt.Sprintf("/products/%s/suppliers/%s/delete", p, sp), Cancel: "/products/" + p.String()})
}

func (s *Service) productSuppliersDelete(c *gin.Context) {
	p, sp, ok := linkParams(c)
	if !ok {
		return
	}
	if err := s.UnlinkSupplier(c.Request.Context(), server.Actor(c), p, sp); err != nil {
		server.Fail(c, err)
		return
	}
	saved(c, "Supplier removed from the product.", "/products/"+p.String())
}

// ---- departments

// departmentPages serves the department pages that work like every record's.
func (s *Service) departmentPages(r resources) recordPages[models.Department, DepartmentInput] {
	return recordPages[models.Department, DepartmentInput]{
		resource:   r.departments,
		path:       "/departments",
		list:       "/departments",
		nameOf:     func(d models.Department) string { return d.Name },
		deleteNote: "Only a department without products or sub-departments can be deleted.",
		form:       s.departmentForm,
		valuesOf:   departmentValues,
		fields:     departmentFields,
		read:       departmentInputOf,
	}
}

func (s *Service) departmentsIndex(c *gin.Context) {
	rows, err := s.ListDepartments(c.Request.Context(), ActiveAll)
	if err != nil {
		server.Fail(c, err)
		return
	}
	a := server.Actor(c)
	server.Render(c, http.StatusOK, views.DepartmentsPage(page(c, "Departments"), views.DepartmentList{
		Rows: rows, CanCreate: a.Can("products.create"), CanEdit: a.Can("products.edit"), CanDelete: a.Can("products.delete")}))
}

var departmentFields = []string{"name", "code", "parentId", "isActive"}

func departmentInputOf(f views.Form) DepartmentInput {
	v := f.Values
	return DepartmentInput{Name: v["name"], Code: ptr(v["code"]), ParentID: ptr(v["parentId"]), IsActive: flag(v["isActive"])}
}

// departmentForm renders the department form; its parent choices leave out the department
// itself and its sub-departments.
func (s *Service) departmentForm(c *gin.Context, id uuid.UUID, form views.Form, err error) {
	parents, perr := s.departmentOptions(c.Request.Context(), "Top level", id)
	if perr != nil {
		server.Fail(c, perr)
		return
	}
	editForm(c, "department", id, views.EditForm{Form: form, Parents: parents}, err, views.DepartmentFormPage)
}

// departmentValues shows a department on its form.
func departmentValues(d models.Department) map[string]string {
	v := map[string]string{"name": d.Name, "code": views.Text(d.Code), "isActive": strconv.FormatBool(d.IsActive)}
	if d.ParentID != nil {
		v["parentId"] = d.ParentID.String()
	}
	return v
}

func (s *Service) departmentsNew(c *gin.Context) {
	form := views.Form{Values: map[string]string{"isActive": "true", "parentId": c.Query("parentId")}}
	s.departmentForm(c, uuid.Nil, form, nil)
}

// ---- taxes

func (s *Service) taxesIndex(c *gin.Context) {
	ctx := c.Request.Context()
	rates, err := s.ListTaxRates(ctx)
	if err != nil {
		server.Fail(c, err)
		return
	}
	groups, err := s.ListTaxGroups(ctx)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.TaxesPageView(page(c, "Taxes"), views.TaxesPage{Rates: rates, Groups: groups, CanManage: server.Actor(c).Can("taxes.manage")}))
}

// taxRatePages serves the tax rate pages that work like every record's: edit and delete.
func (s *Service) taxRatePages(r resources) recordPages[models.TaxRate, TaxRateInput] {
	return recordPages[models.TaxRate, TaxRateInput]{
		resource:   r.taxRates,
		path:       "/taxes",
		list:       "/taxes",
		nameOf:     func(t models.TaxRate) string { return t.Name },
		deleteNote: "Only a rate that is in no tax group can be deleted.",
		form:       s.taxRateForm,
		valuesOf:   taxRateValues,
	}
}

var taxRateFields = []string{"name", "code", "rate", "isCompound", "isActive"}

func taxRateInputOf(f views.Form) (TaxRateInput, *models.Error) {
	v := f.Values
	e := models.Invalid()
	in := TaxRateInput{Name: v["name"], Code: ptr(v["code"]), IsCompound: v["isCompound"] == "true", IsActive: flag(v["isActive"])}
	if v["rate"] != "" {
		bp, err := money.ParseBP(v["rate"])
		if err != nil {
			e.Add("rate", "must be a percentage such as 8.25")
		} else {
			in.Rate = &bp
		}
	}
	return in, e
}

func (s *Service) taxRateForm(c *gin.Context, id uuid.UUID, form views.Form, err error) {
	editForm(c, "tax rate", id, views.EditForm{Form: form}, err, views.TaxRateFormPage)
}

// taxRateValues shows a tax rate on its form (the rate as a percentage without the sign).
func taxRateValues(r models.TaxRate) map[string]string {
	return map[string]string{"name": r.Name, "code": views.Text(r.Code), "rate": strings.TrimSuffix(money.FormatBP(r.Rate), "%"),
		"isCompound": strconv.FormatBool(r.IsCompound), "isActive": strconv.FormatBool(r.IsActive)}
}

// saveTaxRate reads the posted rate and runs save with it.
func (s *Service) saveTaxRate(c *gin.Context, id uuid.UUID, save func(TaxRateInput) (models.TaxRate, error)) {
	form := formValues(c, taxRateFields...)
	in, e := taxRateInputOf(form)
	err := e.Err()
	var r models.TaxRate
	if err == nil {
		r, err = save(in)
	} else if merge(e, models.Validate(in)) == nil {
		err = e.Err()
	}
	if err != nil {
		s.taxRateForm(c, id, form, err)
		return
	}
	saved(c, "Tax rate "+r.Name+" saved.", "/taxes")
}

func (s *Service) taxRatesNew(c *gin.Context) {
	s.taxRateForm(c, uuid.Nil, views.Form{Values: map[string]string{"isActive": "true"}}, nil)
}

func (s *Service) taxRatesCreate(c *gin.Context) {
	s.saveTaxRate(c, uuid.Nil, func(in TaxRateInput) (models.TaxRate, error) {
		return s.CreateTaxRate(c.Request.Context(), server.Actor(c), in)
	})
}

func (s *Service) taxRatesUpdate(c *gin.Context) {
	id, ok := idParam(c, "tax rate")
	if !ok {
		return
	}
	s.saveTaxRate(c, id, func(in TaxRateInput) (models.TaxRate, error) {
		return s.UpdateTaxRate(c.Request.Context(), server.Actor(c), id, in)
	})
}

// taxGroupPages serves the tax group pages that work like every record's: delete.
func (s *Service) taxGroupPages(r resources) recordPages[TaxGroupView, TaxGroupInput] {
	return recordPages[TaxGroupView, TaxGroupInput]{
		resource:   r.taxGroups,
		path:       "/taxes/groups",
		list:       "/taxes",
		nameOf:     func(g TaxGroupView) string { return g.Name },
		deleteNote: "Only a group no product uses can be deleted.",
	}
}

// taxGroupForm renders the group form; chosen maps rate ids to their typed order.
func (s *Service) taxGroupForm(c *gin.Context, id uuid.UUID, form views.Form, chosen map[string]string, err error) {
	rates, rerr := s.ListTaxRates(c.Request.Context())
	if rerr != nil {
		server.Fail(c, rerr)
		return
	}
	d := views.TaxGroupForm{Form: form}
	for _, r := range rates {
		order, in := chosen[r.ID.String()]
		if !in {
			order = c.PostForm("order_" + r.ID.String())
		}
		d.Rates = append(d.Rates, views.RateChoice{Rate: r.TaxRate, Included: in, Order: order})
	}
	title := "New tax group"
	if id != uuid.Nil {
		d.ID, title = id.String(), "Edit tax group"
	}
	render := func() templ.Component { return views.TaxGroupFormPage(page(c, title), d) }
	if err != nil {
		formFailed(c, err, &d.Form, render)
		return
	}
	server.Render(c, http.StatusOK, render())
}

// taxGroupInputOf reads the group form: ticked rates (name "rate") with their order fields.
func taxGroupInputOf(c *gin.Context, form views.Form) (TaxGroupInput, map[string]string, *models.Error) {
	e := models.Invalid()
	in := TaxGroupInput{Name: form.Values["name"], Description: form.Values["description"], Rates: []GroupRateInput{}}
	chosen := map[string]string{}
	for _, id := range c.PostFormArray("rate") {
		raw := strings.TrimSpace(c.PostForm("order_" + id))
		chosen[id] = raw
		r := GroupRateInput{TaxRateID: id}
		if raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 0 {
				e.Add("rates", "each order must be a whole number such as 1 or 2")
				continue
			}
			r.SortOrder = &n
		}
		in.Rates = append(in.Rates, r)
	}
	return in, chosen, e
}

func (s *Service) saveTaxGroup(c *gin.Context, id uuid.UUID, save func(TaxGroupInput) (TaxGroupView, error)) {
	form := formValues(c, "name", "description")
	in, chosen, e := taxGroupInputOf(c, form)
	err := e.Err()
	var g TaxGroupView
	if err == nil {
		g, err = save(in)
	}
	if err != nil {
		// Rate errors are keyed rates[i].taxRateId by the service: shown together on the table.
		if fe := components.ErrorsOf(err); fe != nil {
			for k, msgs := range fe {
				if strings.HasPrefix(k, "rates[") {
					fe["rates"] = append(fe["rates"], msgs...)
				}
			}
		}
		s.taxGroupForm(c, id, form, chosen, err)
		return
	}
	saved(c, "Tax group "+g.Name+" saved.", "/taxes")
}

func (s *Service) taxGroupsNew(c *gin.Context) {
	s.taxGroupForm(c, uuid.Nil, views.Form{Values: map[string]string{}}, map[string]string{}, nil)
}

func (s *Service) taxGroupsCreate(c *gin.Context) {
	s.saveTaxGroup(c, uuid.Nil, func(in TaxGroupInput) (TaxGroupView, error) {
		return s.CreateTaxGroup(c.Request.Context(), server.Actor(c), in)
	})
}

func (s *Service) taxGroupsEdit(c *gin.Context) {
	id, ok := idParam(c, "tax group")
	if !ok {
		return
	}
	g, err := s.TaxGroup(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	chosen := map[string]string{}
	for i, r := range g.Rates {
		chosen[r.ID.String()] = strconv.Itoa(i + 1)
	}
	s.taxGroupForm(c, id, views.Form{Values: map[string]string{"name": g.Name, "description": g.Description}}, chosen, nil)
}

func (s *Service) taxGroupsUpdate(c *gin.Context) {
	id, ok := idParam(c, "tax group")
	if !ok {
		return
	}
	s.saveTaxGroup(c, id, func(in TaxGroupInput) (TaxGroupView, error) {
		return s.UpdateTaxGroup(c.Request.Context(), server.Actor(c), id, in)
	})
}

// ---- suppliers

func (s *Service) suppliersIndex(c *gin.Context) {
	f, err := SupplierFilterOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.ListSuppliers(c.Request.Context(), f)
	if err != nil {
		server.Fail(c, err)
		return
	}
	a := server.Actor(c)
	d := views.SupplierList{Rows: rows, Search: f.Search, Active: string(f.Active),
		Pager:     components.Pager{Page: f.Page.Page, PageSize: f.Page.PageSize, Total: total, URL: listURL(c), Target: "#supplier-table"},
		CanCreate: a.Can("suppliers.create"), CanEdit: a.Can("suppliers.edit"), CanDelete: a.Can("suppliers.delete")}
	server.RenderPage(c, http.StatusOK, views.SuppliersPage(page(c, "Suppliers"), d), views.SupplierTable(d))
}

// supplierPages serves the supplier pages that work like every record's.
func (s *Service) supplierPages(r resources) recordPages[models.Supplier, SupplierInput] {
	return recordPages[models.Supplier, SupplierInput]{
		resource:   r.suppliers,
		path:       "/suppliers",
		list:       "/suppliers",
		nameOf:     func(sp models.Supplier) string { return sp.Name },
		deleteNote: "Only a supplier no product or order refers to can be deleted; otherwise deactivate it.",
		form:       s.supplierForm,
		valuesOf:   supplierValues,
		fields:     supplierFields,
		read:       supplierInputOf,
	}
}

var supplierFields = []string{"name", "code", "contactName", "email", "phone", "address", "notes", "isActive"}

func supplierInputOf(f views.Form) SupplierInput {
	v := f.Values
	return SupplierInput{Name: v["name"], Code: ptr(v["code"]), ContactName: v["contactName"], Email: v["email"],
		Phone: v["phone"], Address: v["address"], Notes: v["notes"], IsActive: flag(v["isActive"])}
}

func (s *Service) supplierForm(c *gin.Context, id uuid.UUID, form views.Form, err error) {
	editForm(c, "supplier", id, views.EditForm{Form: form}, err, views.SupplierFormPage)
}

// supplierValues shows a supplier on its form.
func supplierValues(sp models.Supplier) map[string]string {
	return map[string]string{"name": sp.Name, "code": views.Text(sp.Code), "contactName": sp.ContactName,
		"email": sp.Email, "phone": sp.Phone, "address": sp.Address, "notes": sp.Notes, "isActive": strconv.FormatBool(sp.IsActive)}
}

func (s *Service) suppliersNew(c *gin.Context) {
	s.supplierForm(c, uuid.Nil, views.Form{Values: map[string]string{"isActive": "true"}}, nil)
}

// ---- units

func (s *Service) unitsIndex(c *gin.Context) {
	rows, err := s.ListUnits(c.Request.Context(), ActiveAll)
	if err != nil {
		server.Fail(c, err)
		return
	}
	a := server.Actor(c)
	server.Render(c, http.StatusOK, views.UnitsPage(page(c, "Units"), views.UnitList{
		Rows: rows, CanCreate: a.Can("products.create"), CanEdit: a.Can("products.edit"), CanDelete: a.Can("products.delete")}))
}

// unitPages serves the unit pages that work like every record's.
func (s *Service) unitPages(r resources) recordPages[models.Unit, UnitInput] {
	return recordPages[models.Unit, UnitInput]{
		resource:   r.units,
		path:       "/units",
		list:       "/units",
		nameOf:     func(u models.Unit) string { return u.Name },
		deleteNote: "Only a unit no product uses can be deleted.",
		form:       s.unitForm,
		valuesOf:   unitValues,
		fields:     unitFields,
		read:       unitInputOf,
	}
}

var unitFields = []string{"name", "shortName", "isActive"}

func unitInputOf(f views.Form) UnitInput {
	return UnitInput{Name: f.Values["name"], ShortName: f.Values["shortName"], IsActive: flag(f.Values["isActive"])}
}

func (s *Service) unitForm(c *gin.Context, id uuid.UUID, form views.Form, err error) {
	editForm(c, "unit", id, views.EditForm{Form: form}, err, views.UnitFormPage)
}

// unitValues shows a unit on its form.
func unitValues(u models.Unit) map[string]string {
	return map[string]string{"name": u.Name, "shortName": u.ShortName, "isActive": strconv.FormatBool(u.IsActive)}
}

func (s *Service) unitsNew(c *gin.Context) {
	s.unitForm(c, uuid.Nil, views.Form{Values: map[string]string{"isActive": "true"}}, nil)
}
