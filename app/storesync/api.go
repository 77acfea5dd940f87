package storesync

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the sync API: the admin's token routes on the store (JWT, sync.manage), the
// exchange of a token (public: the token is the proof), and the store-facing routes, which
// authenticate with X-Sync-Token and act only for that credential's store.
func (s *Service) Mount(rt server.Routes) {
	rt.API.POST("/stores/:id/sync-token", server.Require("sync.manage"), s.apiIssueToken)
	rt.API.DELETE("/stores/:id/sync-token", server.Require("sync.manage"), s.apiRevoke)
	rt.API.GET("/sync/dashboard", server.Require("sync.manage"), s.apiDashboard)
	rt.API.GET("/sync/errors", server.Require("sync.manage"), s.apiErrors)
	rt.API.POST("/sync/retry/:id", server.Require("sync.manage"), s.apiRetry)
	rt.API.POST("/sync/resolve/:id", server.Require("sync.manage"), s.apiResolve)
	rt.API.POST("/sync/retry-all", server.Require("sync.manage"), s.apiRetryAll)
	rt.PublicAPI.POST("/sync/provision", s.apiProvision)
	rt.PublicAPI.GET("/sync/pull", s.RequireStore, s.apiPull)
	rt.PublicAPI.GET("/sync/status", s.RequireStore, s.apiStatus)
	rt.PublicAPI.GET("/sync/ws", s.RequireStore, s.apiSocket)
	// 500 sales are about 1 MB; the push takes up to 16 MiB, beside the /api/v1 group's 1 MiB.
	rt.Root.POST("/api/v1/sync/push", server.BodyLimit(16<<20), s.RequireStore, s.apiPush)
	s.MountWeb(rt)
}

const storeKey = "storesync.store"

// RequireStore authenticates a store server by its X-Sync-Token credential (401 otherwise) and
// keeps its store for the handler (StoreOf).
func (s *Service) RequireStore(c *gin.Context) {
	st, err := s.Authenticate(c.Request.Context(), c.GetHeader("X-Sync-Token"))
	if err != nil {
		server.Fail(c, err)
		c.Abort()
		return
	}
	c.Set(storeKey, *st)
	c.Next()
}

// StoreOf is the store RequireStore authenticated.
func StoreOf(c *gin.Context) models.Store { return c.MustGet(storeKey).(models.Store) }

func (s *Service) apiIssueToken(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	out, err := s.IssueToken(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	server.Created(c, out)
}

// Revoked is the answer to a revoke.
type Revoked struct {
	StoreID uuid.UUID `json:"storeId"`
	Status  string    `json:"status"`
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
	server.OK(c, Revoked{StoreID: id, Status: StatusRevoked})
}

func (s *Service) apiProvision(c *gin.Context) {
	var in ProvisionInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	out, err := s.Provision(c.Request.Context(), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	server.Created(c, out)
}

// pullParams reads GET /sync/pull's query: entity_type, since_version, since_id, limit.
func pullParams(c *gin.Context) (PullParams, error) {
	p := PullParams{EntityType: strings.TrimSpace(c.Query("entity_type"))}
	if p.EntityType == "" {
		return p, models.FieldError("entity_type", "is required: one of "+strings.Join(EntityTypes(), ", "))
	}
	if v := c.Query("since_version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return p, models.BadRequest("since_version must be a whole number from 0")
		}
		p.SinceVersion = n
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, models.BadRequest("limit must be a whole number from 1")
		}
		p.Limit = n
	}
	id, err := server.UUIDQuery(c, "since_id")
	p.SinceID = id
	return p, err
}

func (s *Service) apiPull(c *gin.Context) {
	p, err := pullParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	out, err := s.Pull(c.Request.Context(), StoreOf(c), p)
	if err == ErrMustResync {
		c.JSON(http.StatusGone, gin.H{"success": false, "error": err.Error(), "mustResync": true})
		return
	}
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, out)
}

func (s *Service) apiPush(c *gin.Context) {
	var in PushInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	out, err := s.Push(c.Request.Context(), StoreOf(c), in)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, out)
}

func (s *Service) apiStatus(c *gin.Context) {
	out, err := s.Status(c.Request.Context(), StoreOf(c))
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, out)
}

func (s *Service) apiDashboard(c *gin.Context) {
	rows, err := s.Dashboard(c.Request.Context(), server.Actor(c), time.Now())
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.All(c, rows)
}

func (s *Service) apiErrors(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f := ErrorFilter{All: c.Query("status") == "all"}
	if f.StoreID, err = server.UUIDQuery(c, "store_id", "storeId"); err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.Errors(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, rows, total, p)
}

func (s *Service) apiRetry(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	out, err := s.Retry(c.Request.Context(), server.Actor(c), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, out)
}

// ResolvedAnswer is the answer to a resolve.
type ResolvedAnswer struct {
	ID       uuid.UUID `json:"id"`
	Resolved bool      `json:"resolved"`
}

func (s *Service) apiResolve(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var in ResolveInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	if err := s.Resolve(c.Request.Context(), server.Actor(c), id, in); err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, ResolvedAnswer{ID: id, Resolved: true})
}

func (s *Service) apiRetryAll(c *gin.Context) {
	store, err := server.UUIDQuery(c, "store_id", "storeId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if store == nil {
		server.Fail(c, models.FieldError("store_id", "is required"))
		return
	}
	counts, err := s.RetryAll(c.Request.Context(), server.Actor(c), *store)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, counts)
}
