package catalog

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	views "backroom/views/catalog"
	"backroom/views/components"
)

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

// postedProduct is the product form as posted. The edit form has no SKU: nil leaves it.
type postedProduct struct {
	SKU               *string  `form:"sku"`
	Name              string   `form:"name"`
	Barcode           string   `form:"barcode"`
	Description       string   `form:"description"`
	DepartmentID      string   `form:"departmentId"`
	TaxGroupID        string   `form:"taxGroupId"`
	SellPrice         amount   `form:"sellPrice"`
	CostPrice         amount   `form:"costPrice"`
	PurchaseUnitID    string   `form:"purchaseUnitId"`
	ConsumptionUnitID string   `form:"consumptionUnitId"`
	TrackStock        checkbox `form:"trackStock"`
}

// input is the posted product over base.
func (f postedProduct) input(base ProductInput) ProductInput {
	in := base
	if f.SKU != nil {
		in.SKU = *f.SKU
	}
	in.Name, in.Barcode, in.Description = f.Name, ptr(f.Barcode), f.Description
	in.DepartmentID, in.TaxGroupID = ptr(f.DepartmentID), ptr(f.TaxGroupID)
	in.PurchaseUnitID, in.ConsumptionUnitID = ptr(f.PurchaseUnitID), ptr(f.ConsumptionUnitID)
	in.SellPrice, in.CostPrice = int64(f.SellPrice), int64(f.CostPrice)
	in.TrackStock = f.TrackStock.ptr()
	return in
}

// withProductChecks adds the service's own findings about in (required fields, barcode,
// unknown ids) to the form's parse errors e, so the person sees every problem at once.
func (s *Service) withProductChecks(ctx context.Context, e *models.Error, in ProductInput) error {
	if err := e.Merge(s.applyProduct(s.db.WithContext(ctx), in, &models.Product{})); err != nil {
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
	var f postedProduct
	form, e, err := bindForm(c, &f)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in := f.input(ProductInput{})
	var p ProductDetail
	err = e.Err()
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
	var f postedProduct
	form, e, err := bindForm(c, &f)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f.SKU = nil                // the SKU is not editable here
	delete(form.Values, "sku") // nor shown as posted
	in := f.input(cur)
	err = e.Err()
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

// postedLink is a supplier link form as posted: the new-link form has all four fields, a
// link's own row only the last three (its supplier is in the path). A SKU or cost not posted
// leaves the link's as it is.
type postedLink struct {
	SupplierID  string   `form:"supplierId"`
	SupplierSKU *string  `form:"supplierSku"`
	Cost        *amount  `form:"cost"`
	IsPreferred checkbox `form:"isPreferred"`
}

func (f postedLink) input() SupplierLinkInput {
	in := SupplierLinkInput{SupplierID: f.SupplierID, SupplierSKU: f.SupplierSKU, IsPreferred: f.IsPreferred.ptr()}
	if f.Cost != nil {
		cost := int64(*f.Cost)
		in.Cost = &cost
	}
	return in
}

func (s *Service) productSuppliersCreate(c *gin.Context) {
	id, ok := idParam(c, "product")
	if !ok {
		return
	}
	var f postedLink
	form, e, err := bindForm(c, &f)
	if err == nil {
		err = e.Err()
	}
	if err == nil {
		_, err = s.LinkSupplier(c.Request.Context(), server.Actor(c), id, f.input())
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
	var f postedLink
	_, e, err := bindForm(c, &f)
	if err == nil {
		err = e.Err()
	}
	if err == nil {
		f.SupplierID = "" // the row's supplier is the one in the path
		_, err = s.UpdateSupplierLink(c.Request.Context(), server.Actor(c), p, sp, f.input())
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
