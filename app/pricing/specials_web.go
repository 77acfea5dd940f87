package pricing

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	prviews "backroom/views/pricing"
)

// ---- specials ----

func (s *Service) specialsPage(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	var q struct {
		Active looseBool `query:"active"` // the page filters by nothing else
	}
	if err := server.BindQuery(c, &q); err != nil {
		server.Fail(c, err)
		return
	}
	actor := server.Actor(c)
	rows, total, err := s.ListSpecials(c.Request.Context(), actor, SpecialFilter{Active: q.Active.v}, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	var stores []models.Store
	if err := s.db.WithContext(c.Request.Context()).Select("id", "code").Find(&stores).Error; err != nil {
		server.Fail(c, err)
		return
	}
	d := prviews.SpecialList{Rows: rows, Active: c.Query("active"), CanManage: actor.Can(PermSpecialsManage), Stores: map[string]string{},
		Pager: components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: "#special-table"}}
	for _, st := range stores {
		d.Stores[st.ID.String()] = st.Code
	}
	page := server.PageOf(c, "Specials", navKey)
	server.RenderPage(c, http.StatusOK, prviews.SpecialsPage(page, d), prviews.SpecialTable(page, d))
}

func (s *Service) renderSpecialForm(c *gin.Context, status int, id string, form prviews.Form, chosen map[string]bool) {
	stores, err := s.storeOptions(c, PermSpecialsManage)
	if err != nil {
		server.Fail(c, err)
		return
	}
	title := "New special"
	if id != "" {
		title = "Edit special"
	}
	server.Render(c, status, prviews.SpecialFormPage(server.PageOf(c, title, navKey), prviews.SpecialForm{ID: id, Form: form, Stores: stores, Chosen: chosen}))
}

func (s *Service) newSpecialPage(c *gin.Context) {
	today := time.Now().Format(models.DateLayout)
	s.renderSpecialForm(c, http.StatusOK, "", prviews.Form{Values: map[string]string{"startDate": today, "endDate": today}}, nil)
}

func (s *Service) editSpecialPage(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	sp, err := s.GetSpecial(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	v := map[string]string{"specialPrice": money.Decimal(sp.SpecialPrice), "startDate": sp.StartDate.String(), "endDate": sp.EndDate.String(),
		"description": sp.Description, "isActive": fmt.Sprint(sp.IsActive)}
	if sp.Product != nil {
		v["productCode"] = sp.Product.SKU
	}
	chosen := map[string]bool{}
	for _, st := range sp.StoreIDs {
		chosen[st] = true
	}
	s.renderSpecialForm(c, http.StatusOK, id.String(), prviews.Form{Values: v}, chosen)
}

func (s *Service) saveSpecialSubmit(c *gin.Context) {
	var id uuid.UUID
	if c.Param("id") != "" {
		var err error
		if id, err = server.IDParam(c, "id"); err != nil {
			server.Fail(c, err)
			return
		}
	}
	ctx := c.Request.Context()
	v := values(c, "productCode", "specialPrice", "startDate", "endDate", "description", "isActive")
	ids, chosen := storeIDs(c)
	active := v["isActive"] != "false"
	in := SpecialInput{StartDate: v["startDate"], EndDate: v["endDate"], Description: v["description"], StoreIDs: ids, IsActive: &active}
	idStr := ""
	if id != uuid.Nil {
		idStr = id.String()
	}
	fail := func(err error) {
		if errors.Is(err, models.ErrValidation) {
			e := components.ErrorsOf(err)
			if e["productId"] != nil {
				e["productCode"] = e["productId"]
			}
			s.renderSpecialForm(c, http.StatusUnprocessableEntity, idStr, prviews.Form{Values: v, Errors: e, Message: server.Message(err)}, chosen)
			return
		}
		server.Fail(c, err)
	}
	errs := models.Invalid()
	if p, err := models.ProductByCode(ctx, s.db, v["productCode"]); err != nil {
		if !errors.Is(err, models.ErrNotFound) {
			server.Fail(c, err)
			return
		}
		errs.Add("productCode", "no product has this SKU or barcode")
	} else {
		in.ProductID = p.ID
	}
	if price, err := money.Parse(v["specialPrice"]); err != nil || price < 0 {
		errs.Add("specialPrice", "enter an amount like 9.99")
	} else {
		in.SpecialPrice = price
	}
	if err := errs.Err(); err != nil {
		fail(err)
		return
	}
	var err error
	if id == uuid.Nil {
		_, err = s.CreateSpecial(ctx, server.Actor(c), in)
	} else {
		_, err = s.UpdateSpecial(ctx, server.Actor(c), id, in)
	}
	if err != nil {
		fail(err)
		return
	}
	server.Flash(c, "success", "Special saved.")
	server.Redirect(c, "/specials")
}

func (s *Service) deactivateSpecialSubmit(c *gin.Context) { s.specialActiveSubmit(c, false) }
func (s *Service) activateSpecialSubmit(c *gin.Context)   { s.specialActiveSubmit(c, true) }

// specialActiveSubmit ends (after asking) or starts the special again.
func (s *Service) specialActiveSubmit(c *gin.Context, active bool) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !active && !confirmed(c, "End this special now?", "/specials") {
		return
	}
	if _, err := s.SetSpecialActive(c.Request.Context(), server.Actor(c), id, active); err != nil {
		server.Fail(c, err)
		return
	}
	if active {
		server.Flash(c, "success", "Special activated.")
	} else {
		server.Flash(c, "success", "Special deactivated.")
	}
	server.Redirect(c, "/specials")
}

func (s *Service) deleteSpecialSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !confirmed(c, "Delete this special?", "/specials") {
		return
	}
	if err := s.DeleteSpecial(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Special deleted.")
	server.Redirect(c, "/specials")
}
