package catalog

import (
	"context"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the catalogue's JSON API and pages.
func (s *Service) Mount(rt server.Routes) {
	s.mountAPI(rt.API)
	s.mountWeb(rt.Web)
}

// mountAPI is the catalogue's API, under /api/v1. gin routes a static segment ahead of a
// parameter (/products/barcode/:barcode ahead of /products/:id, /taxes/groups ahead of
// /taxes/:id), and takes one parameter name per position: the contract's :productId is :id here.
func (s *Service) mountAPI(api *gin.RouterGroup) {
	api.GET("/products", server.Require("products.view"), s.productsListAPI)
	api.POST("/products", server.Require("products.create"), s.productsCreateAPI)
	api.GET("/products/barcode/:barcode", server.Require("products.view"), s.productsBarcodeAPI)
	api.GET("/products/:id", server.Require("products.view"), s.productsShowAPI)
	api.PUT("/products/:id", server.Require("products.edit"), s.productsUpdateAPI)
	api.DELETE("/products/:id", server.Require("products.delete"), s.productsDeleteAPI)
	api.PATCH("/products/:id/toggle-active", server.Require("products.edit"), s.productsToggleAPI)
	api.GET("/products/:id/suppliers", server.Require("products.view"), s.productSuppliersListAPI)
	api.POST("/products/:id/suppliers", server.Require("products.edit"), s.productSuppliersCreateAPI)
	api.PUT("/products/:id/suppliers/:supplierId", server.Require("products.edit"), s.productSuppliersUpdateAPI)
	api.DELETE("/products/:id/suppliers/:supplierId", server.Require("products.edit"), s.productSuppliersDeleteAPI)

	api.GET("/departments", server.Require("products.view"), s.departmentsListAPI)
	api.POST("/departments", server.Require("products.create"), s.departmentsCreateAPI)
	api.GET("/departments/:id", server.Require("products.view"), s.departmentsShowAPI)
	api.PUT("/departments/:id", server.Require("products.edit"), s.departmentsUpdateAPI)
	api.DELETE("/departments/:id", server.Require("products.delete"), s.departmentsDeleteAPI)

	api.GET("/taxes", server.Require("taxes.view"), s.taxRatesListAPI)
	api.POST("/taxes", server.Require("taxes.manage"), s.taxRatesCreateAPI)
	api.GET("/taxes/:id", server.Require("taxes.view"), s.taxRatesShowAPI)
	api.PUT("/taxes/:id", server.Require("taxes.manage"), s.taxRatesUpdateAPI)
	api.DELETE("/taxes/:id", server.Require("taxes.manage"), s.taxRatesDeleteAPI)
	api.GET("/taxes/groups", server.Require("taxes.view"), s.taxGroupsListAPI)
	api.POST("/taxes/groups", server.Require("taxes.manage"), s.taxGroupsCreateAPI)
	api.GET("/taxes/groups/:id", server.Require("taxes.view"), s.taxGroupsShowAPI)
	api.PUT("/taxes/groups/:id", server.Require("taxes.manage"), s.taxGroupsUpdateAPI)
	api.DELETE("/taxes/groups/:id", server.Require("taxes.manage"), s.taxGroupsDeleteAPI)

	api.GET("/suppliers", server.Require("suppliers.view"), s.suppliersListAPI)
	api.POST("/suppliers", server.Require("suppliers.create"), s.suppliersCreateAPI)
	api.GET("/suppliers/:id", server.Require("suppliers.view"), s.suppliersShowAPI)
	api.PUT("/suppliers/:id", server.Require("suppliers.edit"), s.suppliersUpdateAPI)
	api.DELETE("/suppliers/:id", server.Require("suppliers.delete"), s.suppliersDeleteAPI)

	api.GET("/units", server.Require("products.view"), s.unitsListAPI)
	api.POST("/units", server.Require("products.create"), s.unitsCreateAPI)
	api.GET("/units/:id", server.Require("products.view"), s.unitsShowAPI)
	api.PUT("/units/:id", server.Require("products.edit"), s.unitsUpdateAPI)
	api.DELETE("/units/:id", server.Require("products.delete"), s.unitsDeleteAPI)
}

// The catalogue's API answers alike for every kind of record: GET /:id 200 with the record,
// POST 201 with the new one, PUT /:id 200 with the record (fields the body leaves out keep
// their values), DELETE /:id 200 with {"deleted": true}. A malformed id is a 404 that names the
// record ("department not found"), like an unknown one.

// loaded reads the record the route's :id names with get. When it cannot (a malformed or
// unknown id, a failed read) it has answered the request, and ok is false.
func loaded[T any](c *gin.Context, noun string, get func(context.Context, uuid.UUID) (T, error)) (id uuid.UUID, v T, ok bool) {
	if id, ok = idParam(c, noun); !ok {
		return id, v, false
	}
	v, err := get(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return id, v, false
	}
	return id, v, true
}

// bound decodes the body into a new In (server.BindJSON). When it cannot it has answered the
// request, and ok is false.
func bound[In any](c *gin.Context) (in In, ok bool) {
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return in, false
	}
	return in, true
}

// boundOver decodes the body over current, so fields the client leaves out keep their values.
// When it cannot it has answered the request, and ok is false.
func boundOver[In any](c *gin.Context, current In) (In, bool) {
	if err := server.BindJSON(c, &current); err != nil {
		server.Fail(c, err)
		return current, false
	}
	return current, true
}

// activeQuery reads ?active= of a list that is never paged (departments, units). When it
// cannot it has answered the request, and ok is false.
func activeQuery(c *gin.Context) (ActiveFilter, bool) {
	active, err := ParseActive(c.Query("active"))
	if err != nil {
		server.Fail(c, err)
		return active, false
	}
	return active, true
}

// respond answers with v or the error.
func respond[T any](c *gin.Context, v T, err error, created bool) {
	switch {
	case err != nil:
		server.Fail(c, err)
	case created:
		server.Created(c, v)
	default:
		server.OK(c, v)
	}
}

// deleted answers a successful delete.
func deleted(c *gin.Context, err error) {
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, gin.H{"deleted": true})
}

// whole answers a list that is never paged (departments, units, taxes) with list figures.
func whole[T any](c *gin.Context, items []T, err error) {
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, items, int64(len(items)), models.Page{Page: 1, PageSize: len(items)})
}

// ---- products

func (s *Service) productsShowAPI(c *gin.Context) {
	if _, v, ok := loaded(c, "product", s.Product); ok {
		server.OK(c, v)
	}
}

func (s *Service) productsCreateAPI(c *gin.Context) {
	in, ok := bound[ProductInput](c)
	if !ok {
		return
	}
	v, err := s.CreateProduct(c.Request.Context(), server.Actor(c), in)
	respond(c, v, err, true)
}

func (s *Service) productsUpdateAPI(c *gin.Context) {
	id, cur, ok := loaded(c, "product", s.Product)
	if !ok {
		return
	}
	in, ok := boundOver(c, ProductInputOf(cur.Product))
	if !ok {
		return
	}
	v, err := s.UpdateProduct(c.Request.Context(), server.Actor(c), id, in)
	respond(c, v, err, false)
}

func (s *Service) productsDeleteAPI(c *gin.Context) {
	if id, ok := idParam(c, "product"); ok {
		deleted(c, s.DeleteProduct(c.Request.Context(), server.Actor(c), id))
	}
}

// ---- departments

func (s *Service) departmentsListAPI(c *gin.Context) {
	if active, ok := activeQuery(c); ok {
		rows, err := s.ListDepartments(c.Request.Context(), active)
		whole(c, rows, err)
	}
}

func (s *Service) departmentsShowAPI(c *gin.Context) {
	if _, v, ok := loaded(c, "department", s.Department); ok {
		server.OK(c, v)
	}
}

func (s *Service) departmentsCreateAPI(c *gin.Context) {
	in, ok := bound[DepartmentInput](c)
	if !ok {
		return
	}
	v, err := s.CreateDepartment(c.Request.Context(), server.Actor(c), in)
	respond(c, v, err, true)
}

func (s *Service) departmentsUpdateAPI(c *gin.Context) {
	id, cur, ok := loaded(c, "department", s.Department)
	if !ok {
		return
	}
	in, ok := boundOver(c, DepartmentInputOf(cur))
	if !ok {
		return
	}
	v, err := s.UpdateDepartment(c.Request.Context(), server.Actor(c), id, in)
	respond(c, v, err, false)
}

func (s *Service) departmentsDeleteAPI(c *gin.Context) {
	if id, ok := idParam(c, "department"); ok {
		deleted(c, s.DeleteDepartment(c.Request.Context(), server.Actor(c), id))
	}
}

// ---- tax rates

func (s *Service) taxRatesListAPI(c *gin.Context) {
	rows, err := s.ListTaxRates(c.Request.Context())
	whole(c, rows, err)
}

func (s *Service) taxRatesShowAPI(c *gin.Context) {
	if _, v, ok := loaded(c, "tax rate", s.TaxRate); ok {
		server.OK(c, v)
	}
}

func (s *Service) taxRatesCreateAPI(c *gin.Context) {
	in, ok := bound[TaxRateInput](c)
	if !ok {
		return
	}
	v, err := s.CreateTaxRate(c.Request.Context(), server.Actor(c), in)
	respond(c, v, err, true)
}

func (s *Service) taxRatesUpdateAPI(c *gin.Context) {
	id, cur, ok := loaded(c, "tax rate", s.TaxRate)
	if !ok {
		return
	}
	in, ok := boundOver(c, TaxRateInputOf(cur))
	if !ok {
		return
	}
	v, err := s.UpdateTaxRate(c.Request.Context(), server.Actor(c), id, in)
	respond(c, v, err, false)
}

func (s *Service) taxRatesDeleteAPI(c *gin.Context) {
	if id, ok := idParam(c, "tax rate"); ok {
		deleted(c, s.DeleteTaxRate(c.Request.Context(), server.Actor(c), id))
	}
}

// ---- tax groups

func (s *Service) taxGroupsListAPI(c *gin.Context) {
	rows, err := s.ListTaxGroups(c.Request.Context())
	whole(c, rows, err)
}

func (s *Service) taxGroupsShowAPI(c *gin.Context) {
	if _, v, ok := loaded(c, "tax group", s.TaxGroup); ok {
		server.OK(c, v)
	}
}

func (s *Service) taxGroupsCreateAPI(c *gin.Context) {
	in, ok := bound[TaxGroupInput](c)
	if !ok {
		return
	}
	v, err := s.CreateTaxGroup(c.Request.Context(), server.Actor(c), in)
	respond(c, v, err, true)
}

func (s *Service) taxGroupsUpdateAPI(c *gin.Context) {
	id, cur, ok := loaded(c, "tax group", s.TaxGroup)
	if !ok {
		return
	}
	in, ok := boundOver(c, TaxGroupInputOf(cur))
	if !ok {
		return
	}
	v, err := s.UpdateTaxGroup(c.Request.Context(), server.Actor(c), id, in)
	respond(c, v, err, false)
}

func (s *Service) taxGroupsDeleteAPI(c *gin.Context) {
	if id, ok := idParam(c, "tax group"); ok {
		deleted(c, s.DeleteTaxGroup(c.Request.Context(), server.Actor(c), id))
	}
}

// ---- suppliers

func (s *Service) suppliersShowAPI(c *gin.Context) {
	if _, v, ok := loaded(c, "supplier", s.Supplier); ok {
		server.OK(c, v)
	}
}

func (s *Service) suppliersCreateAPI(c *gin.Context) {
	in, ok := bound[SupplierInput](c)
	if !ok {
		return
	}
	v, err := s.CreateSupplier(c.Request.Context(), server.Actor(c), in)
	respond(c, v, err, true)
}

func (s *Service) suppliersUpdateAPI(c *gin.Context) {
	id, cur, ok := loaded(c, "supplier", s.Supplier)
	if !ok {
		return
	}
	in, ok := boundOver(c, SupplierInputOf(cur))
	if !ok {
		return
	}
	v, err := s.UpdateSupplier(c.Request.Context(), server.Actor(c), id, in)
	respond(c, v, err, false)
}

func (s *Service) suppliersDeleteAPI(c *gin.Context) {
	if id, ok := idParam(c, "supplier"); ok {
		deleted(c, s.DeleteSupplier(c.Request.Context(), server.Actor(c), id))
	}
}

// ---- units

func (s *Service) unitsListAPI(c *gin.Context) {
	if active, ok := activeQuery(c); ok {
		rows, err := s.ListUnits(c.Request.Context(), active)
		whole(c, rows, err)
	}
}

func (s *Service) unitsShowAPI(c *gin.Context) {
	if _, v, ok := loaded(c, "unit", s.Unit); ok {
		server.OK(c, v)
	}
}

func (s *Service) unitsCreateAPI(c *gin.Context) {
	in, ok := bound[UnitInput](c)
	if !ok {
		return
	}
	v, err := s.CreateUnit(c.Request.Context(), server.Actor(c), in)
	respond(c, v, err, true)
}

func (s *Service) unitsUpdateAPI(c *gin.Context) {
	id, cur, ok := loaded(c, "unit", s.Unit)
	if !ok {
		return
	}
	in, ok := boundOver(c, UnitInputOf(cur))
	if !ok {
		return
	}
	v, err := s.UpdateUnit(c.Request.Context(), server.Actor(c), id, in)
	respond(c, v, err, false)
}

func (s *Service) unitsDeleteAPI(c *gin.Context) {
	if id, ok := idParam(c, "unit"); ok {
		deleted(c, s.DeleteUnit(c.Request.Context(), server.Actor(c), id))
	}
}

// ProductFilterOf reads the product list's query: search (or q), departmentId, active, sort,
// page and pageSize.
func ProductFilterOf(c *gin.Context) (ProductFilter, error) {
	var f ProductFilter
	var err error
	if f.Page, err = server.PageParams(c); err != nil {
		return f, err
	}
	if f.DepartmentID, err = server.UUIDQuery(c, "departmentId", "department_id"); err != nil {
		return f, err
	}
	if f.Active, err = ParseActive(c.Query("active")); err != nil {
		return f, err
	}
	f.Search = server.FirstQuery(c, "search", "q")
	f.Sort = c.Query("sort")
	return f, nil
}

func (s *Service) productsListAPI(c *gin.Context) {
	f, err := ProductFilterOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.ListProducts(c.Request.Context(), f)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, rows, total, f.Page)
}

func (s *Service) productsBarcodeAPI(c *gin.Context) {
	p, err := s.ProductByBarcode(c.Request.Context(), c.Param("barcode"))
	respond(c, p, err, false)
}

func (s *Service) productsToggleAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("product"))
		return
	}
	p, err := s.ToggleProductActive(c.Request.Context(), server.Actor(c), id)
	respond(c, p, err, false)
}

func (s *Service) productSuppliersListAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("product"))
		return
	}
	links, err := s.ProductSuppliers(c.Request.Context(), id)
	whole(c, links, err)
}

func (s *Service) productSuppliersCreateAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("product"))
		return
	}
	var in SupplierLinkInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	link, err := s.LinkSupplier(c.Request.Context(), server.Actor(c), id, in)
	respond(c, link, err, true)
}

// linkIDs reads the product and supplier ids of a link route.
func linkIDs(c *gin.Context) (product, supplier uuid.UUID, err error) {
	p, err := server.IDParam(c, "id")
	if err != nil {
		return p, p, models.NotFound("product")
	}
	sp, err := server.IDParam(c, "supplierId")
	if err != nil {
		return p, sp, models.NotFound("supplier link")
	}
	return p, sp, nil
}

func (s *Service) productSuppliersUpdateAPI(c *gin.Context) {
	p, sp, err := linkIDs(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in SupplierLinkInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	link, err := s.UpdateSupplierLink(c.Request.Context(), server.Actor(c), p, sp, in)
	respond(c, link, err, false)
}

func (s *Service) productSuppliersDeleteAPI(c *gin.Context) {
	p, sp, err := linkIDs(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	deleted(c, s.UnlinkSupplier(c.Request.Context(), server.Actor(c), p, sp))
}

// SupplierFilterOf reads the supplier list's query: search (or q), active, page, pageSize.
func SupplierFilterOf(c *gin.Context) (SupplierFilter, error) {
	var f SupplierFilter
	var err error
	if f.Page, err = server.PageParams(c); err != nil {
		return f, err
	}
	if f.Active, err = ParseActive(c.Query("active")); err != nil {
		return f, err
	}
	f.Search = server.FirstQuery(c, "search", "q")
	return f, nil
}

func (s *Service) suppliersListAPI(c *gin.Context) {
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
	server.List(c, rows, total, f.Page)
}
