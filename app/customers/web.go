package customers

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	views "backroom/views/customers"
)

// navKey is the sidebar area these pages belong to.
const navKey = "sales"

func (s *Service) mountWeb(g *gin.RouterGroup) {
	g.GET("/customers", server.Require("customers.view"), s.customerListPage)
	g.GET("/customers/new", server.Require("customers.create"), s.customerNewPage)
	g.POST("/customers", server.Require("customers.create"), s.customerCreateSubmit)
	g.GET("/customers/:id/edit", server.Require("customers.edit"), s.customerEditPage)
	g.POST("/customers/:id", server.Require("customers.edit"), s.customerUpdateSubmit)

	g.GET("/sales-reps", server.Require("sales_reps.view"), s.salesRepListPage)
	g.GET("/sales-reps/new", server.Require("sales_reps.create"), s.salesRepNewPage)
	g.POST("/sales-reps", server.Require("sales_reps.create"), s.salesRepCreateSubmit)
	g.GET("/sales-reps/:id/edit", server.Require("sales_reps.edit"), s.salesRepEditPage)
	g.POST("/sales-reps/:id", server.Require("sales_reps.edit"), s.salesRepUpdateSubmit)
	g.POST("/sales-reps/:id/toggle", server.Require("sales_reps.edit"), s.salesRepToggleSubmit)
	g.POST("/sales-reps/:id/delete", server.Require("sales_reps.delete"), s.salesRepDeleteSubmit)
}

func pager(c *gin.Context, p models.Page, total int64, target string) components.Pager {
	return components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: target}
}

// formFailed re-renders a form for a validation error or a code conflict (both name a field);
// anything else takes the central error exit.
func formFailed(c *gin.Context, err error, render func(status int, fields components.Errors, msg string)) {
	fields := components.ErrorsOf(err)
	status := server.Status(err)
	if status != http.StatusUnprocessableEntity && fields == nil {
		server.Fail(c, err)
		return
	}
	render(status, fields, server.Message(err))
}

// ticked reads a components.Checkbox (a hidden "false" precedes the box, so look for "true");
// a form without the field at all counts as ticked (the new-customer form has no Active box).
func ticked(c *gin.Context, name string) bool {
	vals := c.PostFormArray(name)
	return len(vals) == 0 || slices.Contains(vals, "true")
}

func (s *Service) customerListPage(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f := CustomerFilter{Search: c.Query("search"), Active: ActiveFilter(c.Query("active"))}
	items, total, err := s.ListCustomers(c.Request.Context(), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	a := server.Actor(c)
	v := views.ListView{Page: server.PageOf(c, "Customers", navKey), Items: items, Pager: pager(c, p, total, "#customer-table"),
		Search: f.Search, Active: string(f.Active), CanCreate: a.Can("customers.create"), CanEdit: a.Can("customers.edit")}
	server.RenderPage(c, http.StatusOK, views.List(v), views.Table(v))
}

func (s *Service) customerNewPage(c *gin.Context) {
	server.Render(c, http.StatusOK, views.CustomerEdit(views.CustomerFormView{Page: server.PageOf(c, "New customer", navKey), Form: views.CustomerForm{IsActive: true}}))
}

func (s *Service) customerEditPage(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	cu, err := s.Customer(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f := views.CustomerForm{Code: cu.Code, FirstName: cu.FirstName, LastName: cu.LastName, Email: cu.Email,
		Phone: cu.Phone, TaxID: cu.TaxID, Notes: cu.Notes, IsActive: cu.IsActive}
	server.Render(c, http.StatusOK, views.CustomerEdit(views.CustomerFormView{Page: server.PageOf(c, cu.FullName()+" ("+cu.Code+")", navKey), ID: cu.ID.String(), Form: f}))
}

func customerForm(c *gin.Context) (views.CustomerForm, CustomerInput) {
	f := views.CustomerForm{Code: c.PostForm("code"), FirstName: c.PostForm("firstName"), LastName: c.PostForm("lastName"),
		Email: c.PostForm("email"), Phone: c.PostForm("phone"), TaxID: c.PostForm("taxId"), Notes: c.PostForm("notes"),
		IsActive: ticked(c, "isActive")}
	active := f.IsActive
	return f, CustomerInput{Code: f.Code, FirstName: f.FirstName, LastName: f.LastName, Email: f.Email, Phone: f.Phone,
		TaxID: f.TaxID, Notes: f.Notes, IsActive: &active}
}

func (s *Service) customerCreateSubmit(c *gin.Context) {
	f, in := customerForm(c)
	cu, err := s.CreateCustomer(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		formFailed(c, err, func(status int, fields components.Errors, msg string) {
			server.Render(c, status, views.CustomerEdit(views.CustomerFormView{Page: server.PageOf(c, "New customer", navKey), Form: f, Errors: fields, Error: msg}))
		})
		return
	}
	server.Flash(c, "success", "Customer "+cu.FullName()+" ("+cu.Code+") created.")
	server.Redirect(c, "/customers")
}

func (s *Service) customerUpdateSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, in := customerForm(c)
	cu, err := s.UpdateCustomer(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		formFailed(c, err, func(status int, fields components.Errors, msg string) {
			server.Render(c, status, views.CustomerEdit(views.CustomerFormView{Page: server.PageOf(c, "Customer", navKey), ID: id.String(), Form: f, Errors: fields, Error: msg}))
		})
		return
	}
	server.Flash(c, "success", "Customer "+cu.FullName()+" ("+cu.Code+") saved.")
	server.Redirect(c, "/customers")
}

func (s *Service) repListView(c *gin.Context) (views.RepListView, error) {
	p, err := server.PageParams(c)
	if err != nil {
		return views.RepListView{}, err
	}
	f := SalesRepFilter{Search: c.Query("search"), Active: ActiveFilter(c.Query("active"))}
	items, total, err := s.ListSalesReps(c.Request.Context(), f, p)
	if err != nil {
		return views.RepListView{}, err
	}
	a := server.Actor(c)
	return views.RepListView{Page: server.PageOf(c, "Sales reps", navKey), Items: items, Pager: pager(c, p, total, "#rep-table"),
		Search: f.Search, Active: string(f.Active), CanCreate: a.Can("sales_reps.create"), CanEdit: a.Can("sales_reps.edit"),
		CanDelete: a.Can("sales_reps.delete")}, nil
}

func (s *Service) salesRepListPage(c *gin.Context) {
	v, err := s.repListView(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.RenderPage(c, http.StatusOK, views.RepList(v), views.RepTable(v))
}

func (s *Service) salesRepNewPage(c *gin.Context) {
	server.Render(c, http.StatusOK, views.RepEdit(views.RepFormView{Page: server.PageOf(c, "New sales rep", navKey), Form: views.RepForm{IsActive: true}}))
}

func (s *Service) salesRepEditPage(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.SalesRep(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f := views.RepForm{Code: r.Code, Name: r.Name, Email: r.Email, Phone: r.Phone, IsActive: r.IsActive}
	if r.CommissionBP != nil {
		f.Commission = strings.TrimSuffix(money.FormatBP(*r.CommissionBP), "%")
	}
	server.Render(c, http.StatusOK, views.RepEdit(views.RepFormView{Page: server.PageOf(c, "Sales rep "+r.Code, navKey), ID: r.ID.String(), Form: f,
		CanDelete: server.Actor(c).Can("sales_reps.delete")}))
}

// repForm reads the posted form; the commission is typed as a percentage ("2.5").
func repForm(c *gin.Context) (views.RepForm, SalesRepInput, error) {
	f := views.RepForm{Code: c.PostForm("code"), Name: c.PostForm("name"), Email: c.PostForm("email"), Phone: c.PostForm("phone"),
		Commission: strings.TrimSpace(c.PostForm("commissionBp")), IsActive: ticked(c, "isActive")}
	active := f.IsActive
	in := SalesRepInput{Code: f.Code, Name: f.Name, Email: f.Email, Phone: f.Phone, IsActive: &active}
	if f.Commission != "" {
		bp, err := money.ParseBP(f.Commission)
		if err != nil {
			return f, in, models.FieldError("commissionBp", "must be a percentage such as 2.5")
		}
		in.CommissionBP = &bp
	}
	return f, in, nil
}

func (s *Service) salesRepCreateSubmit(c *gin.Context) {
	f, in, err := repForm(c)
	var r models.SalesRep
	if err == nil {
		r, err = s.CreateSalesRep(c.Request.Context(), server.Actor(c), in)
	}
	if err != nil {
		formFailed(c, err, func(status int, fields components.Errors, msg string) {
			server.Render(c, status, views.RepEdit(views.RepFormView{Page: server.PageOf(c, "New sales rep", navKey), Form: f, Errors: fields, Error: msg}))
		})
		return
	}
	server.Flash(c, "success", "Sales rep "+r.Code+" created.")
	server.Redirect(c, "/sales-reps")
}

func (s *Service) salesRepUpdateSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, in, err := repForm(c)
	var r models.SalesRep
	if err == nil {
		r, err = s.UpdateSalesRep(c.Request.Context(), server.Actor(c), id, in)
	}
	if err != nil {
		formFailed(c, err, func(status int, fields components.Errors, msg string) {
			server.Render(c, status, views.RepEdit(views.RepFormView{Page: server.PageOf(c, "Sales rep", navKey), ID: id.String(), Form: f, Errors: fields, Error: msg,
				CanDelete: server.Actor(c).Can("sales_reps.delete")}))
		})
		return
	}
	server.Flash(c, "success", "Sales rep "+r.Code+" saved.")
	server.Redirect(c, "/sales-reps")
}

// salesRepToggleSubmit flips a rep; htmx gets the updated row, a plain form goes back to the list.
func (s *Service) salesRepToggleSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.ToggleSalesRep(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if server.IsHTMX(c) {
		a := server.Actor(c)
		v := views.RepListView{Page: server.PageOf(c, "Sales reps", navKey), CanEdit: a.Can("sales_reps.edit")}
		server.Render(c, http.StatusOK, views.RepRow(v, r))
		return
	}
	state := "deactivated"
	if r.IsActive {
		state = "activated"
	}
	server.Flash(c, "success", "Sales rep "+r.Code+" "+state+".")
	server.Redirect(c, "/sales-reps")
}

func (s *Service) salesRepDeleteSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.SalesRep(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	edit := "/sales-reps/" + r.ID.String() + "/edit"
	if !server.Confirmed(c, navKey, server.Confirmation{Title: "Delete sales rep " + r.Code,
		Question: "Delete sales rep " + r.Code + " (" + r.Name + ")? This cannot be undone.", Button: "Delete sales rep", Cancel: edit}) {
		return
	}
	if err := s.DeleteSalesRep(c.Request.Context(), server.Actor(c), id); err != nil {
		if server.Status(err) == http.StatusConflict {
			server.Flash(c, "error", server.Message(err))
			server.Redirect(c, edit)
			return
		}
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Sales rep "+r.Code+" deleted.")
	server.Redirect(c, "/sales-reps")
}
