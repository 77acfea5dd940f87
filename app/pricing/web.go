package pricing

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	prviews "backroom/views/pricing"
	poviews "backroom/views/purchasing"
)

const navKey = "pricing"

func (s *Service) mountWeb(rt server.Routes) {
	web := rt.Web
	web.GET("/worksheets", server.Require("worksheets.view"), s.worksheetsPage)
	web.GET("/worksheets/new", server.Require("worksheets.create"), s.newWorksheetPage)
	web.POST("/worksheets", server.Require("worksheets.create"), s.createWorksheetSubmit)
	web.GET("/worksheets/:id", server.Require("worksheets.view"), s.worksheetPage)
	web.POST("/worksheets/:id/submit", server.Require("worksheets.submit"), s.submitWorksheetSubmit)
	web.POST("/worksheets/:id/approve", server.Require("worksheets.approve"), s.approveWorksheetSubmit)
	web.POST("/worksheets/:id/apply", server.Require("worksheets.apply"), s.applyWorksheetSubmit)
	web.POST("/worksheets/:id/reject", server.Require("worksheets.approve"), s.rejectWorksheetSubmit)
	web.POST("/worksheets/:id/delete", server.Require("worksheets.delete"), s.deleteWorksheetSubmit)
	web.POST("/worksheets/:id/items", server.Require("worksheets.create"), s.addWorksheetItemsSubmit)
	web.POST("/worksheets/:id/items/:itemId", server.Require("worksheets.create"), s.worksheetCellSubmit)
	web.POST("/worksheets/:id/items/:itemId/delete", server.Require("worksheets.create"), s.removeWorksheetItemSubmit)
	web.POST("/worksheets/:id/paste", server.Require("worksheets.create"), s.pastePricesSubmit)

	web.GET("/specials", server.Require("specials.view"), s.specialsPage)
	web.GET("/specials/new", server.Require("specials.manage"), s.newSpecialPage)
	web.POST("/specials", server.Require("specials.manage"), s.saveSpecialSubmit)
	web.GET("/specials/:id/edit", server.Require("specials.manage"), s.editSpecialPage)
	web.POST("/specials/:id", server.Require("specials.manage"), s.saveSpecialSubmit)
	web.POST("/specials/:id/deactivate", server.Require("specials.manage"), s.deactivateSpecialSubmit)
	web.POST("/specials/:id/activate", server.Require("specials.manage"), s.activateSpecialSubmit)
	web.POST("/specials/:id/delete", server.Require("specials.manage"), s.deleteSpecialSubmit)

	web.GET("/price-history/:productId", server.Require("products.view"), s.priceHistoryPage)
	web.GET("/store-prices", server.Require("store_prices.view"), s.storePricesPage)
	web.POST("/store-prices", server.Require("store_prices.manage"), s.storePriceSubmit)
	web.POST("/store-prices/:id/delete", server.Require("store_prices.manage"), s.deleteStorePriceSubmit)
}

// worksheetPath is the worksheet's page.
func worksheetPath(id uuid.UUID) string { return prviews.Path(id, "") }

// confirmed asks question on a pricing page before a destructive post (see server.Confirmed).
func confirmed(c *gin.Context, question, cancel string) bool {
	return server.Confirmed(c, navKey, server.Confirmation{Question: question, Cancel: cancel})
}

func formOf(err error, values map[string]string) prviews.Form {
	return prviews.Form{Values: values, Errors: components.ErrorsOf(err), Message: server.Message(err)}
}

func values(c *gin.Context, names ...string) map[string]string {
	v := map[string]string{}
	for _, n := range names {
		v[n] = strings.TrimSpace(c.PostForm(n))
	}
	return v
}

func storeIDs(c *gin.Context) ([]uuid.UUID, map[string]bool) {
	var ids []uuid.UUID
	chosen := map[string]bool{}
	for _, raw := range c.PostFormArray("storeIds") {
		if id, err := uuid.Parse(raw); err == nil {
			ids = append(ids, id)
			chosen[raw] = true
		}
	}
	return ids, chosen
}

func (s *Service) storeOptions(c *gin.Context, perm string) ([]components.Option, error) {
	stores, err := models.StoresFor(c.Request.Context(), s.db, server.Actor(c), perm)
	if err != nil {
		return nil, err
	}
	return poviews.StoreOptions(stores), nil
}
