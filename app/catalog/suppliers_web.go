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
		read:       postedInput[SupplierInput, postedSupplier],
	}
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
