package catalogsync

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"backroom/app/apikeys"
	"backroom/app/server"
	"backroom/models"
)

// BodyLimit is the largest sync request: 10,000 rows are about 1.5 MB, so 16 MiB leaves room
// for catalogues ten times that.
const BodyLimit = 16 << 20

// Mount adds the catalogue-sync routes. The two syncs authenticate by API key with catalog.write
// and sit outside the /api/v1 group, so its 1 MiB limit does not apply (BodyLimit does).
func (s *Service) Mount(rt server.Routes) {
	rt.Root.PATCH("/api/v1/catalog/sync", server.BodyLimit(BodyLimit), s.keys.Require(models.ScopeCatalogWrite), s.apiSync)
	rt.Root.PATCH("/api/v1/catalog/sync_clear", server.BodyLimit(BodyLimit), s.keys.Require(models.ScopeCatalogWrite), s.apiSyncClear)
	rt.API.GET("/catalog/review", server.Require("products.view"), s.apiReview)
	rt.Web.GET("/catalog/review", server.Require("products.view"), s.webReview)
}

// failure is the 422 answer of a request with row errors: the envelope's error and errors, and
// each row's error in order.
type failure struct {
	Success   bool                `json:"success"`
	Error     string              `json:"error"`
	Errors    map[string][]string `json:"errors"`
	RowErrors RowErrors           `json:"rowErrors"`
}

func (s *Service) apiSync(c *gin.Context)      { s.syncRequest(c, ModeSync) }
func (s *Service) apiSyncClear(c *gin.Context) { s.syncRequest(c, ModeSyncClear) }

// syncRequest answers PATCH /api/v1/catalog/sync and sync_clear: the body's products synced in mode.
func (s *Service) syncRequest(c *gin.Context, mode string) {
	key := apikeys.KeyOf(c)
	if key == nil {
		server.Fail(c, models.Unauthorized("missing X-Api-Key header"))
		return
	}
	var raws []json.RawMessage
	if err := server.DecodeJSON(c.Request.Body, &raws); err != nil {
		server.Fail(c, err)
		return
	}
	if raws == nil {
		server.Fail(c, models.BadRequest("the body must be a JSON array of products"))
		return
	}
	res, err := s.Sync(c.Request.Context(), server.Actor(c), *key, mode, raws)
	var rowErrs RowErrors
	if errors.As(err, &rowErrs) {
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, failure{Error: rowErrs.Error(), Errors: rowErrs.Fields(), RowErrors: rowErrs})
		return
	}
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.OK(c, res)
}

func (s *Service) apiReview(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	items, total, err := s.Review(c.Request.Context(), p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, items, total, p)
}
