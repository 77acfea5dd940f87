package tenders

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	views "backroom/views/tenders"
)

func (s *Service) mountWeb(g *gin.RouterGroup) {
	g.GET("/tenders", server.Require("tenders.view"), s.tenderListPage)
	g.GET("/tenders/new", server.Require("tenders.manage"), s.tenderNewPage)
	g.POST("/tenders", server.Require("tenders.manage"), s.tenderCreateSubmit)
	g.GET("/tenders/:id/edit", server.Require("tenders.manage"), s.tenderEditPage)
	g.POST("/tenders/:id", server.Require("tenders.manage"), s.tenderUpdateSubmit)
	g.POST("/tenders/:id/delete", server.Require("tenders.manage"), s.tenderDeleteSubmit)
}

const navKey = "sales"

func (s *Service) tenderListPage(c *gin.Context) {
	items, total, p, err := s.listOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	v := views.ListView{
		Page: server.PageOf(c, "Tenders", navKey), Items: items, Active: c.Query("active"),
		CanManage: server.Actor(c).Can("tenders.manage"),
		Pager:     components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: "#tender-table"},
	}
	server.RenderPage(c, http.StatusOK, views.List(v), views.Table(v))
}

func (s *Service) tenderNewPage(c *gin.Context) {
	server.Render(c, http.StatusOK, views.Edit(views.FormView{
		Page: server.PageOf(c, "New tender", navKey), Form: views.Form{Type: "CASH", SortOrder: "0", IsActive: true},
	}))
}

func (s *Service) tenderEditPage(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	t, err := s.Get(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.Edit(views.FormView{
		Page: server.PageOf(c, "Tender "+t.Code, navKey), ID: t.ID.String(),
		Form: views.Form{Code: t.Code, Name: t.Name, Type: t.Type, SortOrder: strconv.Itoa(t.SortOrder), IsActive: t.IsActive},
	}))
}

// formInput reads the posted form; a sort order that is not a number is reported beside it.
func formInput(c *gin.Context) (views.Form, Input, error) {
	f := views.Form{Code: c.PostForm("code"), Name: c.PostForm("name"), Type: c.PostForm("type"),
		SortOrder: strings.TrimSpace(c.PostForm("sortOrder")), IsActive: slices.Contains(c.PostFormArray("isActive"), "true")}
	active := f.IsActive
	in := Input{Code: f.Code, Name: f.Name, Type: f.Type, IsActive: &active}
	if f.SortOrder != "" {
		n, err := strconv.Atoi(f.SortOrder)
		if err != nil {
			return f, in, models.FieldError("sortOrder", "must be a whole number")
		}
		in.SortOrder = n
	}
	return f, in, nil
}

func (s *Service) tenderCreateSubmit(c *gin.Context) {
	f, in, err := formInput(c)
	var t models.Tender
	if err == nil {
		t, err = s.Create(c.Request.Context(), server.Actor(c), in)
	}
	if err != nil {
		s.formFailed(c, "", "New tender", f, err)
		return
	}
	server.Flash(c, "success", "Tender "+t.Code+" created.")
	server.Redirect(c, "/tenders")
}

func (s *Service) tenderUpdateSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, in, err := formInput(c)
	var t models.Tender
	if err == nil {
		t, err = s.Update(c.Request.Context(), server.Actor(c), id, in)
	}
	if err != nil {
		s.formFailed(c, id.String(), "Tender "+f.Code, f, err)
		return
	}
	server.Flash(c, "success", "Tender "+t.Code+" saved.")
	server.Redirect(c, "/tenders")
}

// formFailed re-renders the form with its messages for a 422 or a code conflict; anything else
// takes the central error exit.
func (s *Service) formFailed(c *gin.Context, id, title string, f views.Form, err error) {
	status := server.Status(err)
	fields := components.ErrorsOf(err)
	if status != http.StatusUnprocessableEntity && fields == nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, status, views.Edit(views.FormView{
		Page: server.PageOf(c, title, navKey), ID: id, Form: f, Errors: fields, Error: server.Message(err),
	}))
}

func (s *Service) tenderDeleteSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	t, err := s.Get(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !server.Confirmed(c, navKey, server.Confirmation{Title: "Delete tender " + t.Code,
		Question: "Delete tender " + t.Code + "? This cannot be undone.", Button: "Delete tender", Cancel: "/tenders/" + t.ID.String() + "/edit"}) {
		return
	}
	if err := s.Delete(c.Request.Context(), server.Actor(c), id); err != nil {
		if server.Status(err) == http.StatusConflict {
			server.Flash(c, "error", server.Message(err))
			server.Redirect(c, "/tenders/"+t.ID.String()+"/edit")
			return
		}
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Tender "+t.Code+" deleted.")
	server.Redirect(c, "/tenders")
}
