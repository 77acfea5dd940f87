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

// unitPages serves the unit pages that work like every record's.
func (s *Service) unitPages(r resources) recordPages[models.Unit, UnitInput] {
	return recordPages[models.Unit, UnitInput]{
		resource:   r.units,
		path:       "/units",
		list:       "/units",
		nameOf:     func(u models.Unit) string { return u.Name },
		deleteNote: "Only a unit no product uses can be deleted.",
		form:       s.unitForm,
		valuesOf:   unitValues,
		read:       postedInput[UnitInput, postedUnit],
	}
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
