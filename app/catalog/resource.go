package catalog

import (
	"context"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// resource is one kind of catalogue record (a product, department, tax rate, tax group,
// supplier or unit): the service functions that read and write it, which the JSON API and the
// pages (see recordPages) call the same way for every kind. mountAPI gives each kind the same
// routes and answers:
//
//	GET    ""    the kind's own list handler
//	GET    /:id  showAPI                    200 with the record
//	POST   ""    server.CreateJSON(create)  201 with the new record
//	PUT    /:id  updateAPI                  200 with the record; fields the body leaves out keep their values
//	DELETE /:id  deleteAPI                  200 with {"deleted": true}
//
// A malformed id is a 404 that names the record ("department not found"), like an unknown one.
// T is what the service returns for a record, In what it takes to create or change one.
type resource[T, In any] struct {
	noun    string // what a not-found error calls the record: "tax rate"
	get     func(ctx context.Context, id uuid.UUID) (T, error)
	create  func(ctx context.Context, actor models.Actor, in In) (T, error)
	update  func(ctx context.Context, actor models.Actor, id uuid.UUID, in In) (T, error)
	remove  func(ctx context.Context, actor models.Actor, id uuid.UUID) error
	inputOf func(T) In // the input that would leave a record as it is
}

// resources are the catalogue's kinds of record, served alike by the API and the pages.
type resources struct {
	products    resource[ProductDetail, ProductInput]
	departments resource[models.Department, DepartmentInput]
	taxRates    resource[models.TaxRate, TaxRateInput]
	taxGroups   resource[TaxGroupView, TaxGroupInput]
	suppliers   resource[models.Supplier, SupplierInput]
	units       resource[models.Unit, UnitInput]
}

// resources ties each kind of record to its service functions.
func (s *Service) resources() resources {
	return resources{
		products: resource[ProductDetail, ProductInput]{noun: "product",
			get: s.Product, create: s.CreateProduct, update: s.UpdateProduct, remove: s.DeleteProduct,
			inputOf: func(p ProductDetail) ProductInput { return ProductInputOf(p.Product) }},
		departments: resource[models.Department, DepartmentInput]{noun: "department",
			get: s.Department, create: s.CreateDepartment, update: s.UpdateDepartment, remove: s.DeleteDepartment,
			inputOf: DepartmentInputOf},
		taxRates: resource[models.TaxRate, TaxRateInput]{noun: "tax rate",
			get: s.TaxRate, create: s.CreateTaxRate, update: s.UpdateTaxRate, remove: s.DeleteTaxRate,
			inputOf: TaxRateInputOf},
		taxGroups: resource[TaxGroupView, TaxGroupInput]{noun: "tax group",
			get: s.TaxGroup, create: s.CreateTaxGroup, update: s.UpdateTaxGroup, remove: s.DeleteTaxGroup,
			inputOf: TaxGroupInputOf},
		suppliers: resource[models.Supplier, SupplierInput]{noun: "supplier",
			get: s.Supplier, create: s.CreateSupplier, update: s.UpdateSupplier, remove: s.DeleteSupplier,
			inputOf: SupplierInputOf},
		units: resource[models.Unit, UnitInput]{noun: "unit",
			get: s.Unit, create: s.CreateUnit, update: s.UpdateUnit, remove: s.DeleteUnit,
			inputOf: UnitInputOf},
	}
}

// access is the permission check each kind of request to a resource passes first.
type access struct {
	view, create, edit, delete gin.HandlerFunc
}

// mountAPI adds the routes above to g, each behind its permission.
func (r resource[T, In]) mountAPI(g *gin.RouterGroup, may access, list gin.HandlerFunc) {
	g.GET("", may.view, list)
	g.GET("/:id", may.view, r.showAPI)
	g.POST("", may.create, server.CreateJSON(r.create))
	g.PUT("/:id", may.edit, r.updateAPI)
	g.DELETE("/:id", may.delete, r.deleteAPI)
}

// fromPath reads the record the route's :id names. When it cannot (a malformed or unknown id,
// a failed read) it has answered the request, and ok is false.
func (r resource[T, In]) fromPath(c *gin.Context) (id uuid.UUID, v T, ok bool) {
	if id, ok = idParam(c, r.noun); !ok {
		return id, v, false
	}
	v, err := r.get(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return id, v, false
	}
	return id, v, true
}

func (r resource[T, In]) showAPI(c *gin.Context) {
	if _, v, ok := r.fromPath(c); ok {
		server.OK(c, v)
	}
}

func (r resource[T, In]) updateAPI(c *gin.Context) {
	id, current, ok := r.fromPath(c)
	if !ok {
		return
	}
	in, err := bindOver(c, r.inputOf(current))
	if err != nil {
		server.Fail(c, err)
		return
	}
	v, err := r.update(c.Request.Context(), server.Actor(c), id, in)
	respond(c, v, err, false)
}

func (r resource[T, In]) deleteAPI(c *gin.Context) {
	id, ok := idParam(c, r.noun)
	if !ok {
		return
	}
	deleted(c, r.remove(c.Request.Context(), server.Actor(c), id))
}

// listWholeAPI answers a list that is never paged nor filtered (tax rates, tax groups).
func listWholeAPI[Row any](list func(context.Context) ([]Row, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		rows, err := list(c.Request.Context())
		whole(c, rows, err)
	}
}

// listByActiveAPI answers a list that is never paged but can be narrowed by ?active=
// (departments, units).
func listByActiveAPI[Row any](list func(context.Context, ActiveFilter) ([]Row, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		active, err := ParseActive(c.Query("active"))
		if err != nil {
			server.Fail(c, err)
			return
		}
		rows, err := list(c.Request.Context(), active)
		whole(c, rows, err)
	}
}
