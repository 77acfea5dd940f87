package admin

import (
	"github.com/gin-gonic/gin"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the administration API and pages.
func (s *Service) Mount(rt server.Routes) {
	api := rt.API
	api.GET("/users", server.Require("users.view"), s.usersList)
	api.GET("/users/store-employees", s.usersStoreEmployees) // any signed-in person (seed 002: JWT)
	api.GET("/users/:id", server.Require("users.view"), s.usersGet)
	api.POST("/users", server.Require("users.create"), s.usersCreate)
	api.PUT("/users/:id", server.Require("users.edit"), s.usersUpdate)

	api.GET("/roles", server.Require("roles.view"), s.rolesList)
	api.GET("/roles/permissions/all", server.Require("roles.view"), s.rolesPermissions)
	api.GET("/roles/:id", server.Require("roles.view"), s.rolesGet)
	api.POST("/roles", server.Require("roles.manage"), s.rolesCreate)
	api.PUT("/roles/:id", server.Require("roles.manage"), s.rolesUpdate)
	api.PUT("/roles/:id/permissions", server.Require("roles.manage"), s.rolesSetPermissions)
	api.DELETE("/roles/:id", server.Require("roles.manage"), s.rolesDelete)

	api.GET("/stores", server.Require("stores.view"), s.storesList)
	api.GET("/stores/current", s.storesCurrent) // any signed-in person (seed 002: JWT)
	api.GET("/stores/dashboard", server.Require("stores.view"), s.storesDashboard)
	api.GET("/stores/:id", server.Require("stores.view"), s.storesGet)
	api.POST("/stores", server.Require("stores.create"), s.storesCreate)
	api.PUT("/stores/:id", server.Require("stores.edit"), s.storesUpdate)

	s.mountWeb(rt.Web)
}

// listQuery is what the API's user and store lists read from the query string.
type listQuery struct {
	Search string      `query:"search,q"`
	Active activeParam `query:"active,status"`
}

// searchQuery is what the employee and role lists read: only the search.
type searchQuery struct {
	Search string `query:"search,q"`
}

// activeParam is the optional active filter: "true", "active" or "1" keeps the active ones,
// "false", "inactive" or "0" the inactive ones; anything else, including "all", means no filter
// (never a 400), as the lists have always read it.
type activeParam struct{ v *bool }

func (a *activeParam) UnmarshalParam(s string) error {
	switch s {
	case "true", "active", "1":
		t := true
		a.v = &t
	case "false", "inactive", "0":
		f := false
		a.v = &f
	}
	return nil
}

func userFilter(c *gin.Context) (UserFilter, error) {
	var q listQuery
	err := server.BindQuery(c, &q)
	return UserFilter{Search: q.Search, Active: q.Active.v}, err
}

func (s *Service) usersList(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := userFilter(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	users, total, err := s.ListUsers(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, users, total, p)
}

func (s *Service) usersGet(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	u, err := s.GetUser(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, u)
}

func (s *Service) usersCreate(c *gin.Context) {
	var in UserInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	u, err := s.CreateUser(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, u)
}

func (s *Service) usersUpdate(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in UserInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	u, err := s.UpdateUser(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, u)
}

func (s *Service) usersStoreEmployees(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	var q searchQuery
	if err := server.BindQuery(c, &q); err != nil {
		server.Fail(c, err)
		return
	}
	list, total, err := s.StoreEmployees(c.Request.Context(), server.Actor(c), q.Search, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, list, total, p)
}

// roleOf loads the role named by the :id path parameter.
func (s *Service) roleOf(c *gin.Context) (*RoleView, error) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	return s.GetRole(c.Request.Context(), id)
}

func (s *Service) rolesList(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	var q searchQuery
	if err := server.BindQuery(c, &q); err != nil {
		server.Fail(c, err)
		return
	}
	roles, total, err := s.ListRoles(c.Request.Context(), q.Search, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, roles, total, p)
}

func (s *Service) rolesPermissions(c *gin.Context) {
	server.OK(c, models.PermissionsByArea())
}

func (s *Service) rolesGet(c *gin.Context) {
	r, err := s.roleOf(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, r)
}

func (s *Service) rolesCreate(c *gin.Context) {
	var in RoleInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.CreateRole(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, r)
}

func (s *Service) rolesUpdate(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in RoleInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.UpdateRole(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, r)
}

func (s *Service) rolesSetPermissions(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in PermissionsInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.SetPermissions(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, r)
}

func (s *Service) rolesDelete(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if err := s.DeleteRole(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, gin.H{"id": id, "deleted": true})
}

func storeFilter(c *gin.Context) (StoreFilter, error) {
	var q listQuery
	err := server.BindQuery(c, &q)
	return StoreFilter{Search: q.Search, Active: q.Active.v}, err
}

func (s *Service) storesList(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := storeFilter(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	stores, total, err := s.ListStores(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, stores, total, p)
}

func (s *Service) storesGet(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	st, err := s.GetStore(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, st)
}

func (s *Service) storesCreate(c *gin.Context) {
	var in StoreInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	st, err := s.CreateStore(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, st)
}

func (s *Service) storesUpdate(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in StoreInput
	if err := server.DecodeJSON(c.Request.Body, &in); err != nil {
		server.Fail(c, err)
		return
	}
	st, err := s.UpdateStore(c.Request.Context(), server.Actor(c), id, in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, st)
}

func (s *Service) storesCurrent(c *gin.Context) {
	want, err := server.UUIDQuery(c, "storeId", "store_id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	cur, err := s.Current(c.Request.Context(), server.Actor(c), want)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, cur)
}

func (s *Service) storesDashboard(c *gin.Context) {
	rows, err := s.Dashboard(c.Request.Context(), server.Actor(c))
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, rows)
}
