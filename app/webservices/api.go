package webservices

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"backroom/app/apikeys"
	"backroom/app/server"
	"backroom/models"
)

// BasePath is where the web services live; /ws/ answers are JSON envelopes on errors.
const BasePath = "/ws/v1"

// Mount adds the web services under /ws/v1, each behind its API-key scope: a missing or wrong
// key is 401 on every one of them, a key without the scope 403.
func (s *Service) Mount(rt server.Routes) {
	rt.Root.POST("/ws/v1/sales", server.BodyLimit(1<<20), s.keys.Require(models.ScopeSalesWrite), s.saleCreate)
	rt.Root.GET("/ws/v1/reports/sales", server.BodyLimit(1<<20), s.keys.Require(models.ScopeReportsRead), s.salesReport)
	rt.Root.GET("/ws/v1/catalog/:list", server.BodyLimit(1<<20), s.keys.Require(models.ScopeCatalogRead), s.catalogDownload)
}

func (s *Service) saleCreate(c *gin.Context) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			server.Fail(c, &models.Error{Kind: models.ErrTooLarge, Message: "request body is too large"})
			return
		}
		server.Fail(c, models.BadRequest("could not read the request body"))
		return
	}
	ans, err := s.RecordSale(c.Request.Context(), SaleRequest{Key: apikeys.KeyOf(c), IdempotencyKey: c.GetHeader("Idempotency-Key"), Body: body})
	if err != nil {
		server.Fail(c, err)
		return
	}
	if ans.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	c.Data(ans.Status, "application/json; charset=utf-8", ans.Body)
}

// download sets the headers of a file answer: inline for html (it opens in the browser), an
// attachment otherwise.
func download(c *gin.Context, contentType, filename string) {
	disp := "attachment"
	if strings.HasPrefix(contentType, "text/html") {
		disp = "inline"
	}
	c.Header("Content-Type", contentType)
	c.Header("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": filename}))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
}

func (s *Service) salesReport(c *gin.Context) {
	day, format := strings.TrimSpace(c.Query("date")), strings.ToLower(strings.TrimSpace(c.Query("format")))
	e := models.Invalid()
	if day == "" {
		e.Add("date", "is required, like 2024-03-31")
	}
	if _, ok := ReportFormats[format]; !ok {
		e.Add("format", "must be one of: "+strings.Join(ReportFormatNames, ", "))
	}
	if err := e.Err(); err != nil {
		server.Fail(c, err)
		return
	}
	rep, err := s.SalesReport(c.Request.Context(), apikeys.KeyOf(c).StoreID, day)
	if err != nil {
		server.Fail(c, err)
		return
	}
	// Rendered whole before the first byte, so a failure is still a clean error answer.
	var buf bytes.Buffer
	if err := WriteReport(&buf, format, rep); err != nil {
		server.Fail(c, err)
		return
	}
	download(c, ReportFormats[format], rep.Filename(format))
	c.Data(http.StatusOK, ReportFormats[format], buf.Bytes())
}

func (s *Service) catalogDownload(c *gin.Context) {
	list := c.Param("list")
	if !slices.Contains(CatalogLists, list) {
		server.Fail(c, models.NotFound("catalogue list "+list+" (one of: "+strings.Join(CatalogLists, ", ")+")"))
		return
	}
	format := strings.ToLower(strings.TrimSpace(c.DefaultQuery("format", "json")))
	ct, ok := CatalogFormats[format]
	if !ok {
		server.Fail(c, models.FieldError("format", "must be one of: "+strings.Join(CatalogFormatNames, ", ")))
		return
	}
	download(c, ct, list+"."+format)
	c.Status(http.StatusOK)
	// Streamed: once rows are on the wire a failure can only cut the answer short, so it is logged.
	if err := s.WriteCatalog(c.Request.Context(), c.Writer, list, format, apikeys.KeyOf(c).StoreID); err != nil {
		server.Logger(c).Error("catalogue download failed", "list", list, "format", format, "error", err)
		c.Abort()
	}
}
