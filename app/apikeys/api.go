package apikeys

import (
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
	views "backroom/views/apikeys"
	"backroom/views/components"
)

// Mount adds the key API under /api/v1/integrations/api-keys and the form posts of the
// sync-settings page's API-key section (integrations.manage).
func (s *Service) Mount(rt server.Routes) {
	rt.API.GET("/integrations/api-keys", server.Require("integrations.manage"), s.apiList)
	rt.API.POST("/integrations/api-keys", server.Require("integrations.manage"), s.apiCreate)
	rt.API.DELETE("/integrations/api-keys/:id", server.Require("integrations.manage"), s.apiRevoke)
	rt.Web.POST("/settings/api-keys", server.Require("integrations.manage"), s.webCreate)
	rt.Web.POST("/settings/api-keys/:id/revoke", server.Require("integrations.manage"), s.webRevoke)
}

func (s *Service) apiList(c *gin.Context) {
	list, err := s.List(c.Request.Context())
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.All(c, list)
}

func (s *Service) apiCreate(c *gin.Context) {
	var in Input
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	k, err := s.Create(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Created(c, k)
}

func (s *Service) apiRevoke(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if err := s.Revoke(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, gin.H{"revoked": true})
}

// Section renders the API-key list and form for the sync-settings page.
func (s *Service) Section(c *gin.Context) (templ.Component, error) {
	return s.section(c, views.FormState{}, "")
}

func (s *Service) section(c *gin.Context, form views.FormState, newKey string) (templ.Component, error) {
	list, err := s.List(c.Request.Context())
	if err != nil {
		return nil, err
	}
	var stores []models.Store
	if err := s.db.WithContext(c.Request.Context()).Order("code").Find(&stores).Error; err != nil {
		return nil, err
	}
	codes := map[uuid.UUID]string{}
	opts := []components.Option{{Value: "", Label: "All stores"}}
	for _, st := range stores {
		codes[st.ID] = st.Code
		opts = append(opts, components.Option{Value: st.ID.String(), Label: st.Code + " — " + st.Name, Selected: form.StoreID == st.ID.String()})
	}
	rows := make([]views.Row, 0, len(list))
	for _, k := range list {
		store := "All stores"
		if k.StoreID != nil {
			store = codes[*k.StoreID]
		}
		rows = append(rows, views.Row{Key: k, Store: store})
	}
	return views.Section(views.Props{CSRF: server.CSRFToken(c), Rows: rows, Stores: opts, Scopes: models.APIScopes,
		Form: form, NewKey: newKey, PublicURL: publicURL(c)}), nil
}

func publicURL(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

func (s *Service) webCreate(c *gin.Context) {
	form := views.FormState{Name: strings.TrimSpace(c.PostForm("name")), StoreID: c.PostForm("storeId"), Scopes: c.PostFormArray("scopes")}
	in := Input{Name: form.Name, Scopes: form.Scopes}
	if id, err := uuid.Parse(form.StoreID); err == nil {
		in.StoreID = &id
	}
	k, err := s.Create(c.Request.Context(), server.Actor(c), in)
	if err != nil {
		if server.Status(err) != http.StatusUnprocessableEntity {
			server.Fail(c, err)
			return
		}
		form.Errors = components.ErrorsOf(err)
	}
	newKey := ""
	if k != nil {
		newKey = k.Key
		form = views.FormState{}
	}
	// The key is shown once, on this answer; it is never stored or shown again.
	comp, serr := s.section(c, form, newKey)
	if serr != nil {
		server.Fail(c, serr)
		return
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
	}
	c.Header("Cache-Control", "no-store")
	server.RenderPage(c, status, views.Page(server.PageOf(c, "API keys", "integrations"), comp), comp)
}

func (s *Service) webRevoke(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if err := s.Revoke(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "API key revoked; it stops working at once.")
	server.Redirect(c, "/settings/integrations#api-keys")
}
