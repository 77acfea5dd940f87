package catalog

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
	views "backroom/views/catalog"
	"backroom/views/components"
)

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

// postedSupplier is the supplier form as posted.
type postedSupplier struct {
	Name        string   `form:"name"`
	Code        string   `form:"code"`
	ContactName string   `form:"contactName"`
	Email       string   `form:"email"`
	Phone       string   `form:"phone"`
	Address     string   `form:"address"`
	Notes       string   `form:"notes"`
	IsActive    checkbox `form:"isActive"`
}

func (f postedSupplier) input() SupplierInput {
	return SupplierInput{Name: f.Name, Code: ptr(f.Code), ContactName: f.ContactName, Email: f.Email,
		Phone: f.Phone, Address: f.Address, Notes: f.Notes, IsActive: f.IsActive.ptr()}
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

func (s *Service) suppliersCreate(c *gin.Context) {
	in, form, err := postedInput[SupplierInput, postedSupplier](c)
	var v models.Supplier
	if err == nil {
		v, err = s.CreateSupplier(c.Request.Context(), server.Actor(c), in)
	}
	if err != nil {
		s.supplierForm(c, uuid.Nil, form, err)
		return
	}
	saved(c, "Supplier "+v.Name+" created.", "/suppliers")
}

func (s *Service) suppliersEdit(c *gin.Context) {
	if id, v, ok := loaded(c, "supplier", s.Supplier); ok {
		s.supplierForm(c, id, views.Form{Values: supplierValues(v)}, nil)
	}
}

func (s *Service) suppliersUpdate(c *gin.Context) {
	id, ok := idParam(c, "supplier")
	if !ok {
		return
	}
	in, form, err := postedInput[SupplierInput, postedSupplier](c)
	var v models.Supplier
	if err == nil {
		v, err = s.UpdateSupplier(c.Request.Context(), server.Actor(c), id, in)
	}
	if err != nil {
		s.supplierForm(c, id, form, err)
		return
	}
	saved(c, "Supplier "+v.Name+" saved.", "/suppliers")
}

func (s *Service) suppliersDeleteConfirm(c *gin.Context) {
	if id, v, ok := loaded(c, "supplier", s.Supplier); ok {
		confirmDelete(c, "supplier", v.Name, "Only a supplier no product or order refers to can be deleted; otherwise deactivate it.", "/suppliers/"+id.String()+"/delete", "/suppliers")
	}
}

func (s *Service) suppliersDelete(c *gin.Context) {
	if id, ok := idParam(c, "supplier"); ok {
		deletedTo(c, s.DeleteSupplier(c.Request.Context(), server.Actor(c), id), "supplier", "/suppliers")
	}
}
