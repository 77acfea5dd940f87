package storesync

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
	views "backroom/views/storesync"
)

const navKey = "sync"

// MountWeb adds the Sync page and its two forms.
func (s *Service) MountWeb(rt server.Routes) {
	rt.Web.GET("/sync", server.Require(PermManage), s.page)
	rt.Web.POST("/sync/stores/:id/token", server.Require(PermManage), s.webIssue)
	rt.Web.POST("/sync/stores/:id/revoke", server.Require(PermManage), s.webRevoke)
}

func (s *Service) render(c *gin.Context, issued *views.Issued) {
	rows, err := s.Dashboard(c.Request.Context(), server.Actor(c), time.Now())
	if err != nil {
		server.Fail(c, err)
		return
	}
	d := views.Data{CSRF: server.CSRFToken(c), Issued: issued}
	for _, r := range rows {
		d.Rows = append(d.Rows, views.Row{StoreID: r.StoreID.String(), Code: r.Code, Name: r.Name, Status: r.Status,
			LastContact: r.LastContactAt, LastPull: r.LastPullAt, LastPush: r.LastPushAt, TokenWaiting: r.TokenWaiting})
	}
	// A token is shown once: the page that shows it must not be kept by the browser.
	if issued != nil {
		c.Header("Cache-Control", "no-store")
	}
	server.Render(c, http.StatusOK, views.Page(server.PageOf(c, "Sync", navKey), d))
}

func (s *Service) page(c *gin.Context) { s.render(c, nil) }

// storeRow is the dashboard row of the path's store, for the confirmation questions.
func (s *Service) storeRow(c *gin.Context) (uuid.UUID, DashboardRow, bool) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return id, DashboardRow{}, false
	}
	rows, err := s.Dashboard(c.Request.Context(), server.Actor(c), time.Now())
	if err != nil {
		server.Fail(c, err)
		return id, DashboardRow{}, false
	}
	for _, r := range rows {
		if r.StoreID == id {
			return id, r, true
		}
	}
	server.Fail(c, models.NotFound("store"))
	return id, DashboardRow{}, false
}

// webIssue makes a token and shows it on the page, once. Replacing a waiting token or an
// active store's credential is confirmed first.
func (s *Service) webIssue(c *gin.Context) {
	id, row, ok := s.storeRow(c)
	if !ok {
		return
	}
	switch {
	case row.TokenWaiting && !server.Confirmed(c, navKey, server.Confirmation{Cancel: "/sync",
		Question: "Generate a new token for " + row.Code + "? The token issued before stops working."}):
		return
	case (row.Status == StatusActive || row.Status == StatusOffline) && !row.TokenWaiting && !server.Confirmed(c, navKey, server.Confirmation{Cancel: "/sync",
		Question: "Generate a token for " + row.Code + "? Its server keeps syncing until a server uses the new token; from then on only that one does."}):
		return
	}
	issued, err := s.IssueToken(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	s.render(c, &views.Issued{StoreCode: issued.StoreCode, Token: issued.Token, Env: issued.Env})
}

func (s *Service) webRevoke(c *gin.Context) {
	id, row, ok := s.storeRow(c)
	if !ok {
		return
	}
	if !server.Confirmed(c, navKey, server.Confirmation{Cancel: "/sync", Button: "Revoke sync",
		Question: "Revoke sync for " + row.Code + "? Its server stops syncing at once (it keeps selling) until it is given a new token."}) {
		return
	}
	if err := s.Revoke(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Sync revoked for "+row.Code+": its token and credential no longer work.")
	server.Redirect(c, "/sync")
}
