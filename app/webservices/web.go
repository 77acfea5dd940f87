package webservices

import (
	"time"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"backroom/models"
	views "backroom/views/webservices"
)

// Section is the web-services part of the integrations settings page: what each service does
// and a ready example request per language, built for this server's address with a real tender
// code and product so the sale example runs as it is once the key is filled in.
func (s *Service) Section(c *gin.Context) (templ.Component, error) {
	db := s.db.WithContext(c.Request.Context())
	tender, sku, barcode := "CASH", "SKU-0001", "0123456789012"
	var tenders []models.Tender
	if err := db.Where("is_active").Order("sort_order, code").Limit(1).Find(&tenders).Error; err != nil {
		return nil, err
	}
	if len(tenders) > 0 {
		tender = tenders[0].Code
	}
	var products []models.Product
	if err := models.LiveProducts(db).Where("is_active AND barcode IS NOT NULL AND barcode <> ''").Order("sku").Limit(1).Find(&products).Error; err != nil {
		return nil, err
	}
	if len(products) > 0 {
		sku, barcode = products[0].SKU, *products[0].Barcode
	}
	base := baseURL(c)
	return views.Section(views.Props{BaseURL: base, Services: Examples(base, tender, sku, barcode, time.Now().Format("2006-01-02"))}), nil
}

// baseURL is the address the browser reached this server at, so the examples work as pasted.
func baseURL(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}
