package catalog

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the catalogue's JSON API and pages.
func (s *Service) Mount(rt server.Routes) {
	r := s.resources()
	s.mountAPI(rt.API, r)
	s.mountWeb(rt.Web, r)
}

func (s *Service) mountAPI(api *gin.RouterGroup, r resources) {
	view, create, edit, del := server.Require("products.view"), server.Require("products.create"), server.Require("products.edit"), server.Require("products.delete")
	catalogue := access{view: view, create: create, edit: edit, delete: del}

	// gin routes /products/barcode/:barcode ahead of /products/:id (static segments win), and
	// one parameter name per position: the contract's :productId is :id here.
	p := api.Group("/products")
	r.products.mountAPI(p, catalogue, s.productsListAPI)
	p.GET("/barcode/:barcode", view, s.productsBarcodeAPI)
	p.PATCH("/:id/toggle-active", edit, s.productsToggleAPI)
	p.GET("/:id/suppliers", view, s.productSuppliersListAPI)
	p.POST("/:id/suppliers", edit, s.productSuppliersCreateAPI)
	p.PUT("/:id/suppliers/:supplierId", edit, s.productSuppliersUpdateAPI)
	p.DELETE("/:id/suppliers/:supplierId", edit, s.productSuppliersDeleteAPI)

	r.departments.mountAPI(api.Group("/departments"), catalogue, listByActiveAPI(s.ListDepartments))

	// Rates live at /taxes and groups at /taxes/groups; gin routes /taxes/groups ahead of
	// /taxes/:id.
	taxView, taxManage := server.Require("taxes.view"), server.Require("taxes.manage")
	taxes := access{view: taxView, create: taxManage, edit: taxManage, delete: taxManage}
	t := api.Group("/taxes")
	r.taxRates.mountAPI(t, taxes, listWholeAPI(s.ListTaxRates))
	r.taxGroups.mountAPI(t.Group("/groups"), taxes, listWholeAPI(s.ListTaxGroups))

	suppliers := access{view: server.Require("suppliers.view"), create: server.Require("suppliers.create"),
		edit: server.Require("suppliers.edit"), delete: server.Require("suppliers.delete")}
	r.suppliers.mountAPI(api.Group("/suppliers"), suppliers, s.suppliersListAPI)

	r.units.mountAPI(api.Group("/units"), catalogue, listByActiveAPI(s.ListUnits))
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
