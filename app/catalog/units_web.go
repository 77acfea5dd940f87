package catalog

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
	views "backroom/views/catalog"
)

// ---- units

func (s *Service) unitsIndex(c *gin.Context) {
	rows, err := s.ListUnits(c.Request.Context(), ActiveAll)
	if err != nil {
		server.Fail(c, err)
		return
	}
	a := server.Actor(c)
	server.Render(c, http.StatusOK, views.UnitsPage(page(c, "Units"), views.UnitList{
		Rows: rows, CanCreate: a.Can("products.create"), CanEdit: a.Can("products.edit"), CanDelete: a.Can("products.delete")}))
}

// postedUnit is the unit form as posted.
type postedUnit struct {
	Name      string   `form:"name"`
	ShortName string   `form:"shortName"`
	IsActive  checkbox `form:"isActive"`
}

func (f postedUnit) input() UnitInput {
	return UnitInput{Name: f.Name, ShortName: f.ShortName, IsActive: f.IsActive.ptr()}
}

func (s *Service) unitForm(c *gin.Context, id uuid.UUID, form views.Form, err error) {
	editForm(c, "unit", id, views.EditForm{Form: form}, err, views.UnitFormPage)
}

// unitValues shows a unit on its form.
func unitValues(u models.Unit) map[string]string {
	return map[string]string{"name": u.Name, "shortName": u.ShortName, "isActive": strconv.FormatBool(u.IsActive)}
}

func (s *Service) unitsNew(c *gin.Context) {
	s.unitForm(c, uuid.Nil, views.Form{Values: map[string]string{"isActive": "true"}}, nil)
}

func (s *Service) unitsCreate(c *gin.Context) {
	in, form, err := postedInput[UnitInput, postedUnit](c)
	var v models.Unit
	if err == nil {
		v, err = s.CreateUnit(c.Request.Context(), server.Actor(c), in)
	}
	if err != nil {
		s.unitForm(c, uuid.Nil, form, err)
		return
	}
	saved(c, "Unit "+v.Name+" created.", "/units")
}

func (s *Service) unitsEdit(c *gin.Context) {
	if id, v, ok := loaded(c, "unit", s.Unit); ok {
		s.unitForm(c, id, views.Form{Values: unitValues(v)}, nil)
	}
}

func (s *Service) unitsUpdate(c *gin.Context) {
	id, ok := idParam(c, "unit")
	if !ok {
		return
	}
	in, form, err := postedInput[UnitInput, postedUnit](c)
	var v models.Unit
	if err == nil {
		v, err = s.UpdateUnit(c.Request.Context(), server.Actor(c), id, in)
	}
	if err != nil {
		s.unitForm(c, id, form, err)
		return
	}
	saved(c, "Unit "+v.Name+" saved.", "/units")
}

func (s *Service) unitsDeleteConfirm(c *gin.Context) {
	if id, v, ok := loaded(c, "unit", s.Unit); ok {
		confirmDelete(c, "unit", v.Name, "Only a unit no product uses can be deleted.", "/units/"+id.String()+"/delete", "/units")
	}
}

func (s *Service) unitsDelete(c *gin.Context) {
	if id, ok := idParam(c, "unit"); ok {
		deletedTo(c, s.DeleteUnit(c.Request.Context(), server.Actor(c), id), "unit", "/units")
	}
}
