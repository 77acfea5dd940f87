package storesync

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
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
	rt.Web.GET("/sync", server.Require("sync.manage"), s.page)
	rt.Web.POST("/sync/stores/:id/token", server.Require("sync.manage"), s.webIssue)
	rt.Web.POST("/sync/stores/:id/revoke", server.Require("sync.manage"), s.webRevoke)
	rt.Web.GET("/sync/stores/:id", server.Require("sync.manage"), s.storePage)
	rt.Web.POST("/sync/stores/:id/retry-all", server.Require("sync.manage"), s.webRetryAll)
	rt.Web.POST("/sync/errors/:id/retry", server.Require("sync.manage"), s.webRetry)
	rt.Web.POST("/sync/errors/:id/resolve", server.Require("sync.manage"), s.webResolve)
}

// viewRow is a dashboard row as the pages show it.
func viewRow(r DashboardRow) views.Row {
	return views.Row{StoreID: r.StoreID.String(), Code: r.Code, Name: r.Name, Status: r.Status, LastContact: r.LastContactAt,
		LastPull: r.LastPullAt, LastPush: r.LastPushAt, TokenWaiting: r.TokenWaiting, OpenErrors: r.OpenErrors, Behind: r.Behind}
}

func (s *Service) render(c *gin.Context, issued *views.Issued) {
	rows, err := s.Dashboard(c.Request.Context(), server.Actor(c), time.Now())
	if err != nil {
		server.Fail(c, err)
		return
	}
	d := views.Data{CSRF: server.CSRFToken(c), Issued: issued}
	for _, r := range rows {
		d.Rows = append(d.Rows, viewRow(r))
	}
	// A token is shown once: the page that shows it must not be kept by the browser.
	if issued != nil {
		c.Header("Cache-Control", "no-store")
	}
	server.Render(c, http.StatusOK, views.Page(server.PageOf(c, "Sync", navKey), d))
}

func (s *Service) page(c *gin.Context) { s.render(c, nil) }

// storeRow is the dashboard row of the path's store.
func (s *Service) storeRow(c *gin.Context) (uuid.UUID, DashboardRow, bool) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return id, DashboardRow{}, false
	}
	return s.rowOf(c, id)
}

// rowOf is a store's dashboard row, if the actor manages its sync.
func (s *Service) rowOf(c *gin.Context, id uuid.UUID) (uuid.UUID, DashboardRow, bool) {
	rows, err := s.dashboard(c.Request.Context(), server.Actor(c), time.Now(), &id)
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

// renderStore shows a store's page: its entities and its open errors.
func (s *Service) renderStore(c *gin.Context, status int, id uuid.UUID, row DashboardRow, d views.StoreData) {
	ctx := c.Request.Context()
	states, err := s.entityStates(ctx, id, true)
	if err != nil {
		server.Fail(c, err)
		return
	}
	errs, _, err := s.Errors(ctx, server.Actor(c), ErrorFilter{StoreID: &id}, models.NewPage(1, 200))
	if err != nil {
		server.Fail(c, err)
		return
	}
	d.Row, d.CSRF = viewRow(row), server.CSRFToken(c)
	for _, es := range states {
		d.Entities = append(d.Entities, views.Entity{Type: es.EntityType, HQVersion: es.HQVersion, StoreVersion: es.StoreVersion, Pending: es.Pending, PulledAt: es.PulledAt})
	}
	for _, e := range errs {
		d.Errors = append(d.Errors, views.QueuedError{ID: e.ID.String(), ItemID: e.ItemID, Type: e.Type, Kind: e.Kind, Reason: e.Reason,
			Payload: string(e.Payload), Attempts: e.Attempts, CreatedAt: e.CreatedAt})
	}
	server.Render(c, status, views.StorePage(server.PageOf(c, "Sync: "+row.Code+" "+row.Name, navKey), d))
}

func (s *Service) storePage(c *gin.Context) {
	id, row, ok := s.storeRow(c)
	if !ok {
		return
	}
	s.renderStore(c, http.StatusOK, id, row, views.StoreData{})
}

// errorStore is the store page an error's form goes back to.
func (s *Service) errorStore(c *gin.Context) (uuid.UUID, string, bool) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return id, "", false
	}
	var store string
	if err := s.db.WithContext(c.Request.Context()).Raw("SELECT store_id::text FROM sync_errors WHERE id = ?", id).Scan(&store).Error; err != nil {
		server.Fail(c, err)
		return id, "", false
	}
	if store == "" {
		server.Fail(c, models.NotFound("sync error"))
		return id, "", false
	}
	return id, "/sync/stores/" + store, true
}

func (s *Service) webRetry(c *gin.Context) {
	id, back, ok := s.errorStore(c)
	if !ok {
		return
	}
	r, err := s.Retry(c.Request.Context(), server.Actor(c), id)
	switch {
	case err != nil && isRefusal(err):
		server.Flash(c, "error", server.Message(err))
	case err != nil:
		server.Fail(c, err)
		return
	case r.Status == Applied:
		server.Flash(c, "success", "Item "+r.ID+" is in the books.")
	default:
		server.Flash(c, "error", "Item "+r.ID+" is still "+r.Status+": "+r.Reason)
	}
	server.Redirect(c, back+"#errors")
}

func (s *Service) webResolve(c *gin.Context) {
	id, back, ok := s.errorStore(c)
	if !ok {
		return
	}
	note := c.PostForm("note")
	err := s.Resolve(c.Request.Context(), server.Actor(c), id, ResolveInput{Note: note})
	switch {
	case errors.Is(err, models.ErrValidation):
		// Back to the store's page with the message beside the note.
		storeID := uuid.MustParse(strings.TrimPrefix(back, "/sync/stores/"))
		_, row, ok := s.rowOf(c, storeID)
		if !ok {
			return
		}
		s.renderStore(c, http.StatusUnprocessableEntity, storeID, row, views.StoreData{ResolveFor: id.String(), ResolveNote: note, NoteError: "Say what was done (at most 500 characters)."})
		return
	case err != nil && isRefusal(err):
		server.Flash(c, "error", server.Message(err))
	case err != nil:
		server.Fail(c, err)
		return
	default:
		server.Flash(c, "success", "Resolved.")
	}
	server.Redirect(c, back+"#errors")
}

func (s *Service) webRetryAll(c *gin.Context) {
	id, row, ok := s.storeRow(c)
	if !ok {
		return
	}
	counts, err := s.RetryAll(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", fmt.Sprintf("%s: %d in the books, %d still rejected, %d still waiting.", row.Code, counts.Applied, counts.Rejected, counts.Deferred))
	server.Redirect(c, "/sync/stores/"+id.String()+"#errors")
}
