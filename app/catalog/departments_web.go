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

// ---- departments

func (s *Service) departmentsIndex(c *gin.Context) {
	rows, err := s.ListDepartments(c.Request.Context(), ActiveAll)
	if err != nil {
		server.Fail(c, err)
		return
	}
	a := server.Actor(c)
	server.Render(c, http.StatusOK, views.DepartmentsPage(page(c, "Departments"), views.DepartmentList{
		Rows: rows, CanCreate: a.Can("products.create"), CanEdit: a.Can("products.edit"), CanDelete: a.Can("products.delete")}))
}

// postedDepartment is the department form as posted.
type postedDepartment struct {
	Name     string   `form:"name"`
	Code     string   `form:"code"`
	ParentID string   `form:"parentId"`
	IsActive checkbox `form:"isActive"`
}

func (f postedDepartment) input() DepartmentInput {
	return DepartmentInput{Name: f.Name, Code: ptr(f.Code), ParentID: ptr(f.ParentID), IsActive: f.IsActive.ptr()}
}

// departmentForm renders the department form; its parent choices leave out the department
// itself and its sub-departments.
func (s *Service) departmentForm(c *gin.Context, id uuid.UUID, form views.Form, err error) {
	parents, perr := s.departmentOptions(c.Request.Context(), "Top level", id)
	if perr != nil {
		server.Fail(c, perr)
		return
	}
	editForm(c, "department", id, views.EditForm{Form: form, Parents: parents}, err, views.DepartmentFormPage)
}

// departmentValues shows a department on its form.
func departmentValues(d models.Department) map[string]string {
	v := map[string]string{"name": d.Name, "code": views.Text(d.Code), "isActive": strconv.FormatBool(d.IsActive)}
	if d.ParentID != nil {
		v["parentId"] = d.ParentID.String()
	}
	return v
}

func (s *Service) departmentsNew(c *gin.Context) {
	form := views.Form{Values: map[string]string{"isActive": "true", "parentId": c.Query("parentId")}}
	s.departmentForm(c, uuid.Nil, form, nil)
}

func (s *Service) departmentsCreate(c *gin.Context) {
	in, form, err := postedInput[DepartmentInput, postedDepartment](c)
	var v models.Department
	if err == nil {
		v, err = s.CreateDepartment(c.Request.Context(), server.Actor(c), in)
	}
	if err != nil {
		s.departmentForm(c, uuid.Nil, form, err)
		return
	}
	saved(c, "Department "+v.Name+" created.", "/departments")
}

func (s *Service) departmentsEdit(c *gin.Context) {
	if id, v, ok := loaded(c, "department", s.Department); ok {
		s.departmentForm(c, id, views.Form{Values: departmentValues(v)}, nil)
	}
}

func (s *Service) departmentsUpdate(c *gin.Context) {
	id, ok := idParam(c, "department")
	if !ok {
		return
	}
	in, form, err := postedInput[DepartmentInput, postedDepartment](c)
	var v models.Department
	if err == nil {
		v, err = s.UpdateDepartment(c.Request.Context(), server.Actor(c), id, in)
	}
	if err != nil {
		s.departmentForm(c, id, form, err)
		return
	}
	saved(c, "Department "+v.Name+" saved.", "/departments")
}

func (s *Service) departmentsDeleteConfirm(c *gin.Context) {
	if id, v, ok := loaded(c, "department", s.Department); ok {
		confirmDelete(c, "department", v.Name, "Only a department without products or sub-departments can be deleted.", "/departments/"+id.String()+"/delete", "/departments")
	}
}

func (s *Service) departmentsDelete(c *gin.Context) {
	if id, ok := idParam(c, "department"); ok {
		deletedTo(c, s.DeleteDepartment(c.Request.Context(), server.Actor(c), id), "department", "/departments")
	}
}
