package catalog

import (
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

func (s *Service) mountAPI(api *gin.RouterGroup) {
	view, create, edit, del := server.Require("products.view"), server.Require("products.create"), server.Require("products.edit"), server.Require("products.delete")

	// gin routes /products/barcode/:barcode ahead of /products/:id (static segments win), and
	// one parameter name per position: the contract's :productId is :id here.
	p := api.Group("/products")
	p.GET("", view, s.productsListAPI)
	p.POST("", create, s.productsCreateAPI)
	p.GET("/barcode/:barcode", view, s.productsBarcodeAPI)
	p.GET("/:id", view, s.productsShowAPI)
	p.PUT("/:id", edit, s.productsUpdateAPI)
	p.PATCH("/:id/toggle-active", edit, s.productsToggleAPI)
	p.DELETE("/:id", del, s.productsDeleteAPI)
	p.GET("/:id/suppliers", view, s.productSuppliersListAPI)
	p.POST("/:id/suppliers", edit, s.productSuppliersCreateAPI)
	p.PUT("/:id/suppliers/:supplierId", edit, s.productSuppliersUpdateAPI)
	p.DELETE("/:id/suppliers/:supplierId", edit, s.productSuppliersDeleteAPI)

	d := api.Group("/departments")
	d.GET("", view, s.departmentsListAPI)
	d.GET("/:id", view, s.departmentsShowAPI)
	d.POST("", create, s.departmentsCreateAPI)
	d.PUT("/:id", edit, s.departmentsUpdateAPI)
	d.DELETE("/:id", del, s.departmentsDeleteAPI)

	taxView, taxManage := server.Require("taxes.view"), server.Require("taxes.manage")
	t := api.Group("/taxes")
	t.GET("", taxView, s.taxRatesListAPI)
	t.POST("", taxManage, s.taxRatesCreateAPI)
	t.GET("/groups", taxView, s.taxGroupsListAPI)
	t.POST("/groups", taxManage, s.taxGroupsCreateAPI)
	t.GET("/groups/:id", taxView, s.taxGroupsShowAPI)
	t.PUT("/groups/:id", taxManage, s.taxGroupsUpdateAPI)
	t.DELETE("/groups/:id", taxManage, s.taxGroupsDeleteAPI)
	t.GET("/:id", taxView, s.taxRatesShowAPI)
	t.PUT("/:id", taxManage, s.taxRatesUpdateAPI)
	t.DELETE("/:id", taxManage, s.taxRatesDeleteAPI)

	sp := api.Group("/suppliers")
	sp.GET("", server.Require("suppliers.view"), s.suppliersListAPI)
	sp.GET("/:id", server.Require("suppliers.view"), s.suppliersShowAPI)
	sp.POST("", server.Require("suppliers.create"), s.suppliersCreateAPI)
	sp.PUT("/:id", server.Require("suppliers.edit"), s.suppliersUpdateAPI)
	sp.DELETE("/:id", server.Require("suppliers.delete"), s.suppliersDeleteAPI)

	u := api.Group("/units")
	u.GET("", view, s.unitsListAPI)
	u.GET("/:id", view, s.unitsShowAPI)
	u.POST("", create, s.unitsCreateAPI)
	u.PUT("/:id", edit, s.unitsUpdateAPI)
	u.DELETE("/:id", del, s.unitsDeleteAPI)
}

// bindOver decodes the body over current, so fields the client leaves out keep their values.
func bindOver[T any](c *gin.Context, current T) (T, error) {
	err := server.BindJSON(c, &current)
	return current, err
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
	f.Search = c.Query("search")
	if f.Search == "" {
		f.Search = c.Query("q")
	}
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

func (s *Service) productsShowAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("product"))
		return
	}
	p, err := s.Product(c.Request.Context(), id)
	respond(c, p, err, false)
}

func (s *Service) productsBarcodeAPI(c *gin.Context) {
	p, err := s.ProductByBarcode(c.Request.Context(), c.Param("barcode"))
	respond(c, p, err, false)
}

func (s *Service) productsCreateAPI(c *gin.Context) {
	var in ProductInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	p, err := s.CreateProduct(c.Request.Context(), server.Actor(c), in)
	respond(c, p, err, true)
}

func (s *Service) productsUpdateAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("product"))
		return
	}
	current, err := s.ProductForUpdate(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in, err := bindOver(c, current)
	if err != nil {
		server.Fail(c, err)
		return
	}
	p, err := s.UpdateProduct(c.Request.Context(), server.Actor(c), id, in)
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

func (s *Service) productsDeleteAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("product"))
		return
	}
	deleted(c, s.DeleteProduct(c.Request.Context(), server.Actor(c), id))
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

func (s *Service) departmentsListAPI(c *gin.Context) {
	active, err := ParseActive(c.Query("active"))
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, err := s.ListDepartments(c.Request.Context(), active)
	whole(c, rows, err)
}

func (s *Service) departmentsShowAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("department"))
		return
	}
	d, err := s.Department(c.Request.Context(), id)
	respond(c, d, err, false)
}

func (s *Service) departmentsCreateAPI(c *gin.Context) {
	var in DepartmentInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.CreateDepartment(c.Request.Context(), server.Actor(c), in)
	respond(c, d, err, true)
}

func (s *Service) departmentsUpdateAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("department"))
		return
	}
	cur, err := s.Department(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in, err := bindOver(c, DepartmentInputOf(cur))
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.UpdateDepartment(c.Request.Context(), server.Actor(c), id, in)
	respond(c, d, err, false)
}

func (s *Service) departmentsDeleteAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("department"))
		return
	}
	deleted(c, s.DeleteDepartment(c.Request.Context(), server.Actor(c), id))
}

func (s *Service) taxRatesListAPI(c *gin.Context) {
	rows, err := s.ListTaxRates(c.Request.Context())
	whole(c, rows, err)
}

func (s *Service) taxRatesShowAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("tax rate"))
		return
	}
	r, err := s.TaxRate(c.Request.Context(), id)
	respond(c, r, err, false)
}

func (s *Service) taxRatesCreateAPI(c *gin.Context) {
	var in TaxRateInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.CreateTaxRate(c.Request.Context(), server.Actor(c), in)
	respond(c, r, err, true)
}

func (s *Service) taxRatesUpdateAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("tax rate"))
		return
	}
	cur, err := s.TaxRate(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in, err := bindOver(c, TaxRateInputOf(cur))
	if err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.UpdateTaxRate(c.Request.Context(), server.Actor(c), id, in)
	respond(c, r, err, false)
}

func (s *Service) taxRatesDeleteAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("tax rate"))
		return
	}
	deleted(c, s.DeleteTaxRate(c.Request.Context(), server.Actor(c), id))
}

func (s *Service) taxGroupsListAPI(c *gin.Context) {
	rows, err := s.ListTaxGroups(c.Request.Context())
	whole(c, rows, err)
}

func (s *Service) taxGroupsShowAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("tax group"))
		return
	}
	g, err := s.TaxGroup(c.Request.Context(), id)
	respond(c, g, err, false)
}

func (s *Service) taxGroupsCreateAPI(c *gin.Context) {
	var in TaxGroupInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	g, err := s.CreateTaxGroup(c.Request.Context(), server.Actor(c), in)
	respond(c, g, err, true)
}

func (s *Service) taxGroupsUpdateAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("tax group"))
		return
	}
	cur, err := s.TaxGroup(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in, err := bindOver(c, TaxGroupInputOf(cur))
	if err != nil {
		server.Fail(c, err)
		return
	}
	g, err := s.UpdateTaxGroup(c.Request.Context(), server.Actor(c), id, in)
	respond(c, g, err, false)
}

func (s *Service) taxGroupsDeleteAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("tax group"))
		return
	}
	deleted(c, s.DeleteTaxGroup(c.Request.Context(), server.Actor(c), id))
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
	f.Search = c.Query("search")
	if f.Search == "" {
		f.Search = c.Query("q")
	}
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

func (s *Service) suppliersShowAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("supplier"))
		return
	}
	sp, err := s.Supplier(c.Request.Context(), id)
	respond(c, sp, err, false)
}

func (s *Service) suppliersCreateAPI(c *gin.Context) {
	var in SupplierInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	sp, err := s.CreateSupplier(c.Request.Context(), server.Actor(c), in)
	respond(c, sp, err, true)
}

func (s *Service) suppliersUpdateAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("supplier"))
		return
	}
	cur, err := s.Supplier(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in, err := bindOver(c, SupplierInputOf(cur))
	if err != nil {
		server.Fail(c, err)
		return
	}
	sp, err := s.UpdateSupplier(c.Request.Context(), server.Actor(c), id, in)
	respond(c, sp, err, false)
}

func (s *Service) suppliersDeleteAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("supplier"))
		return
	}
	deleted(c, s.DeleteSupplier(c.Request.Context(), server.Actor(c), id))
}

func (s *Service) unitsListAPI(c *gin.Context) {
	active, err := ParseActive(c.Query("active"))
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, err := s.ListUnits(c.Request.Context(), active)
	whole(c, rows, err)
}

func (s *Service) unitsShowAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("unit"))
		return
	}
	u, err := s.Unit(c.Request.Context(), id)
	respond(c, u, err, false)
}

func (s *Service) unitsCreateAPI(c *gin.Context) {
	var in UnitInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	u, err := s.CreateUnit(c.Request.Context(), server.Actor(c), in)
	respond(c, u, err, true)
}

func (s *Service) unitsUpdateAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("unit"))
		return
	}
	cur, err := s.Unit(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in, err := bindOver(c, UnitInputOf(cur))
	if err != nil {
		server.Fail(c, err)
		return
	}
	u, err := s.UpdateUnit(c.Request.Context(), server.Actor(c), id, in)
	respond(c, u, err, false)
}

func (s *Service) unitsDeleteAPI(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, models.NotFound("unit"))
		return
	}
	deleted(c, s.DeleteUnit(c.Request.Context(), server.Actor(c), id))
}
