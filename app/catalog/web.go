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

// bindForm binds the posted form into f, a pointer to one of the posted… form structs
// (server.BindForm). It returns the form as typed, for showing it again, and the values that
// did not parse as e (empty when all did), so the service's own findings can join them; err is
// a failure that is not the person's to fix.
func bindForm(c *gin.Context, f any) (form views.Form, e *models.Error, err error) {
	e = models.Invalid()
	err = e.Merge(server.BindForm(c, f))
	return views.Form{Values: server.FormValues(c, f)}, e, err
}

// postedInput reads a record's form, F, as the service's input, with the form as typed; for
// recordPages.read.
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
	// read is the posted form as the service's input, and as typed (postedInput).
	read func(c *gin.Context) (In, views.Form, error)
}

func (p recordPages[T, In]) editPage(c *gin.Context) {
	if id, v, ok := p.fromPath(c); ok {
		p.form(c, id, views.Form{Values: p.valuesOf(v)}, nil)
	}
}

func (p recordPages[T, In]) createPost(c *gin.Context) {
	in, form, err := p.read(c)
	var v T
	if err == nil {
		v, err = p.create(c.Request.Context(), server.Actor(c), in)
	}
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
	in, form, err := p.read(c)
	var v T
	if err == nil {
		v, err = p.update(c.Request.Context(), server.Actor(c), id, in)
	}
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
