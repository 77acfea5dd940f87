package pricing

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	prviews "backroom/views/pricing"
)

// ---- store prices ----

func (s *Service) storePricesData(c *gin.Context, form prviews.Form) (prviews.StorePriceList, error) {
	p, err := server.PageParams(c)
	if err != nil {
		return prviews.StorePriceList{}, err
	}
	actor := server.Actor(c)
	var f StorePriceFilter
	if f.StoreID, err = server.UUIDQuery(c, "store_id", "storeId"); err != nil {
		return prviews.StorePriceList{}, err
	}
	rows, total, err := s.ListStorePrices(c.Request.Context(), actor, f, p)
	if err != nil {
		return prviews.StorePriceList{}, err
	}
	stores, err := s.storeOptions(c, PermStorePricesView)
	if err != nil {
		return prviews.StorePriceList{}, err
	}
	d := prviews.StorePriceList{Rows: rows, Stores: stores, CanManage: actor.Can(PermStorePricesManage), Form: form,
		Pager: components.Pager{Page: p.Page, PageSize: p.PageSize, Total: total, URL: c.Request.URL, Target: "#store-price-table"}}
	if f.StoreID != nil {
		d.StoreID = f.StoreID.String()
	}
	return d, nil
}

func (s *Service) storePricesPage(c *gin.Context) {
	d, err := s.storePricesData(c, prviews.Form{})
	if err != nil {
		server.Fail(c, err)
		return
	}
	page := server.PageOf(c, "Store prices", navKey)
	server.RenderPage(c, http.StatusOK, prviews.StorePricesPage(page, d), prviews.StorePriceTable(page, d))
}

func (s *Service) storePriceSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	v := values(c, "storeId", "productCode", "price")
	errs := models.Invalid()
	var in StorePriceInput
	if id, err := uuid.Parse(v["storeId"]); err != nil {
		errs.Add("storeId", "choose a store")
	} else {
		in.StoreID = id
	}
	if p, err := models.ProductByCode(ctx, s.db, v["productCode"]); err != nil {
		if !errors.Is(err, models.ErrNotFound) {
			server.Fail(c, err)
			return
		}
		errs.Add("productCode", "no product has this SKU or barcode")
	} else {
		in.ProductID = p.ID
	}
	if price, err := money.Parse(v["price"]); err != nil || price < 0 {
		errs.Add("price", "enter an amount like 12.49")
	} else {
		in.Price = price
	}
	err := errs.Err()
	if err == nil {
		_, err = s.UpsertStorePrice(ctx, server.Actor(c), in)
	}
	if err != nil {
		if !errors.Is(err, models.ErrValidation) {
			server.Fail(c, err)
			return
		}
		d, derr := s.storePricesData(c, formOf(err, v))
		if derr != nil {
			server.Fail(c, derr)
			return
		}
		server.Render(c, http.StatusUnprocessableEntity, prviews.StorePricesPage(server.PageOf(c, "Store prices", navKey), d))
		return
	}
	server.Flash(c, "success", "Store price saved.")
	server.Redirect(c, "/store-prices?store_id="+in.StoreID.String())
}

func (s *Service) deleteStorePriceSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if !confirmed(c, "Remove this store price? The base price applies again.", "/store-prices") {
		return
	}
	if err := s.DeleteStorePrice(c.Request.Context(), server.Actor(c), id); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Store price removed.")
	server.Redirect(c, "/store-prices")
}

// priceHistoryPage is a product's price history: the fragment the product page loads, or a page.
func (s *Service) priceHistoryPage(c *gin.Context) {
	id, err := server.IDParam(c, "productId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	var p models.Product
	if err := s.db.WithContext(c.Request.Context()).Select("id", "name").Take(&p, "id = ?", id).Error; err != nil {
		server.Fail(c, models.NotFoundIf(err, "product"))
		return
	}
	rows, err := s.PriceHistory(c.Request.Context(), id, 100)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.RenderPage(c, http.StatusOK,
		prviews.PriceHistoryPage(server.PageOf(c, "Price history", "catalogue"), p.Name, id.String(), rows),
		prviews.PriceHistory(rows))
}
