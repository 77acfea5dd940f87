package catalogsync

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"backroom/app/money"
	"backroom/app/server"
	views "backroom/views/catalogsync"
	"backroom/views/components"
)

// webReview is the review page: the products syncs created that are still inactive.
func (s *Service) webReview(c *gin.Context) {
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
	d := views.ReviewProps{Pager: components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: "#review-table"}}
	for _, it := range items {
		r := views.Row{ProductID: it.ProductID.String(), SKU: it.SKU, Name: it.Name, Price: money.Format(it.SellPrice),
			ExternalID: it.ExternalID, Sender: it.APIKeyName, CreatedAt: components.When(c.Request.Context(), it.CreatedAt)}
		if it.Barcode != nil {
			r.Barcode = *it.Barcode
		}
		if r.Sender == "" {
			r.Sender = "a removed key"
		}
		d.Rows = append(d.Rows, r)
	}
	server.RenderPage(c, http.StatusOK, views.ReviewPage(server.PageOf(c, "Products from catalogue syncs", "catalogue"), d), views.ReviewTable(d))
}
