package catalog

import (
	"context"
	"errors"
	"net/http"
	"net/url"
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

func (s *Service) mountWeb(web *gin.RouterGroup) {
	web.GET("/products", server.Require("products.view"), s.productsIndex)
	web.GET("/products/new", server.Require("products.create"), s.productsNew)
	web.POST("/products", server.Require("products.create"), s.productsCreate)
	web.GET("/products/:id", server.Require("products.view"), s.productsShow)
	web.GET("/products/:id/edit", server.Require("products.edit"), s.productsEdit)
	web.POST("/products/:id", server.Require("products.edit"), s.productsUpdate)
	web.POST("/products/:id/toggle-active", server.Require("products.edit"), s.productsToggle)
	web.GET("/products/:id/delete", server.Require("products.delete"), s.productsDeleteConfirm)
	web.POST("/products/:id/delete", server.Require("products.delete"), s.productsDelete)
	web.POST("/products/:id/suppliers", server.Require("products.edit"), s.productSuppliersCreate)
	web.POST("/products/:id/suppliers/:supplierId", server.Require("products.edit"), s.productSuppliersUpdate)
	web.GET("/products/:id/suppliers/:supplierId/delete", server.Require("products.edit"), s.productSuppliersDeleteConfirm)
	web.POST("/products/:id/suppliers/:supplierId/delete", server.Require("products.edit"), s.productSuppliersDelete)

	web.GET("/departments", server.Require("products.view"), s.departmentsIndex)
	web.GET("/departments/new", server.Require("products.create"), s.departmentsNew)
	web.POST("/departments", server.Require("products.create"), s.departmentsCreate)
	web.GET("/departments/:id/edit", server.Require("products.edit"), s.departmentsEdit)
	web.POST("/departments/:id", server.Require("products.edit"), s.departmentsUpdate)
	web.GET("/departments/:id/delete", server.Require("products.delete"), s.departmentsDeleteConfirm)
	web.POST("/departments/:id/delete", server.Require("products.delete"), s.departmentsDelete)

	// Rates and groups share the taxes page.
	web.GET("/taxes", server.Require("taxes.view"), s.taxesIndex)
	web.GET("/taxes/new", server.Require("taxes.manage"), s.taxRatesNew)
	web.POST("/taxes", server.Require("taxes.manage"), s.taxRatesCreate)
	web.GET("/taxes/groups/new", server.Require("taxes.manage"), s.taxGroupsNew)
	web.POST("/taxes/groups", server.Require("taxes.manage"), s.taxGroupsCreate)
	web.GET("/taxes/groups/:id/edit", server.Require("taxes.manage"), s.taxGroupsEdit)
	web.POST("/taxes/groups/:id", server.Require("taxes.manage"), s.taxGroupsUpdate)
	web.GET("/taxes/groups/:id/delete", server.Require("taxes.manage"), s.taxGroupsDeleteConfirm)
	web.POST("/taxes/groups/:id/delete", server.Require("taxes.manage"), s.taxGroupsDelete)
	web.GET("/taxes/:id/edit", server.Require("taxes.manage"), s.taxRatesEdit)
	web.POST("/taxes/:id", server.Require("taxes.manage"), s.taxRatesUpdate)
	web.GET("/taxes/:id/delete", server.Require("taxes.manage"), s.taxRatesDeleteConfirm)
	web.POST("/taxes/:id/delete", server.Require("taxes.manage"), s.taxRatesDelete)

	web.GET("/suppliers", server.Require("suppliers.view"), s.suppliersIndex)
	web.GET("/suppliers/new", server.Require("suppliers.create"), s.suppliersNew)
	web.POST("/suppliers", server.Require("suppliers.create"), s.suppliersCreate)
	web.GET("/suppliers/:id/edit", server.Require("suppliers.edit"), s.suppliersEdit)
	web.POST("/suppliers/:id", server.Require("suppliers.edit"), s.suppliersUpdate)
	web.GET("/suppliers/:id/delete", server.Require("suppliers.delete"), s.suppliersDeleteConfirm)
	web.POST("/suppliers/:id/delete", server.Require("suppliers.delete"), s.suppliersDelete)

	web.GET("/units", server.Require("products.view"), s.unitsIndex)
	web.GET("/units/new", server.Require("products.create"), s.unitsNew)
	web.POST("/units", server.Require("products.create"), s.unitsCreate)
	web.GET("/units/:id/edit", server.Require("products.edit"), s.unitsEdit)
	web.POST("/units/:id", server.Require("products.edit"), s.unitsUpdate)
	web.GET("/units/:id/delete", server.Require("products.delete"), s.unitsDeleteConfirm)
	web.POST("/units/:id/delete", server.Require("products.delete"), s.unitsDelete)
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

// bindForm binds the posted form into f, a pointer to one of the posted… form structs
// (server.BindForm). It returns the form as typed, for showing it again, and the values that
// did not parse as e (empty when all did), so the service's own findings can join them; err is
// a failure that is not the person's to fix.
func bindForm(c *gin.Context, f any) (form views.Form, e *models.Error, err error) {
	e = models.Invalid()
	err = e.Merge(server.BindForm(c, f))
	return views.Form{Values: server.FormValues(c, f)}, e, err
}

// postedInput reads a record's form, F, as the service's input, with the form as typed.
func postedInput[In any, F interface{ input() In }](c *gin.Context) (In, views.Form, error) {
	var f F
	form, e, err := bindForm(c, &f)
	if err == nil {
		err = e.Err()
	}
	return f.input(), form, err
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

// checkbox is a components.Checkbox as posted: ticked when its last value is "true" (or "on",
// a plain HTML box), so the hidden "false" before the box makes an unticked one post false.
// Not posted at all, it is unticked.
type checkbox bool

func (b *checkbox) UnmarshalParam(s string) error {
	*b = checkbox(s == "true" || s == "on")
	return nil
}

// ptr is the box as the inputs take it: never nil.
func (b checkbox) ptr() *bool {
	v := bool(b)
	return &v
}

// amount is a money input as typed ("12.99"), in cents; blank is zero. One that is not an
// amount is zero with a message beside the field; a negative one keeps its value, so the
// service's own check shows beside "must not be negative".
type amount int64

func (a *amount) UnmarshalParam(s string) error {
	if s == "" {
		*a = 0
		return nil
	}
	cents, err := money.Parse(s)
	if err != nil {
		*a = 0
		return errors.New("must be an amount such as 12.99")
	}
	*a = amount(cents)
	if cents < 0 {
		return errors.New("must not be negative")
	}
	return nil
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

func confirm(c *gin.Context, d views.Confirm) {
	server.Render(c, http.StatusOK, views.ConfirmPage(page(c, d.Title), d))
}

// ---- what the record pages share

// The edit and delete pages of departments, tax rates, tax groups, suppliers and units work
// alike: a save returns to the list with "<Noun> <name> saved." flashed, and so does a delete
// ("<Noun> deleted."), unless it is refused (409, the record is in use), which is flashed on the
// list instead. Products have pages of their own.

// confirmDelete asks whether to delete the record called name; action is where the form
// posts, note says when a delete is refused, cancel leads back to the list.
func confirmDelete(c *gin.Context, noun, name, note, action, cancel string) {
	confirm(c, views.Confirm{Title: "Delete " + noun + " " + name + "?", Button: "Delete " + noun,
		Message: note, Action: action, Cancel: cancel})
}

// deletedTo ends a delete post with its outcome, err: back to list with the news.
func deletedTo(c *gin.Context, err error, noun, list string) {
	if err != nil {
		// A refused delete (409, the record is in use) is told on the list it came from.
		if server.Status(err) == http.StatusConflict {
			server.Flash(c, "error", server.Message(err))
			server.Redirect(c, list)
			return
		}
		server.Fail(c, err)
		return
	}
	saved(c, capitalised(noun)+" deleted.", list)
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
