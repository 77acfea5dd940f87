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
	w := rt.Web
	w.GET("/worksheets", server.Require(PermWSView), s.worksheetsPage)
	w.GET("/worksheets/new", server.Require(PermWSCreate), s.newWorksheetPage)
	w.POST("/worksheets", server.Require(PermWSCreate), s.createWorksheetSubmit)
	w.GET("/worksheets/:id", server.Require(PermWSView), s.worksheetRecord().Show)
	moves := server.Transition[models.Worksheet]{Active: navKey, Path: worksheetPath, Number: func(w models.Worksheet) string { return w.Number }}
	w.POST("/worksheets/:id/submit", server.Require(PermWSSubmit), moves.Post(s.SubmitWorksheet, "Submitted for approval."))
	w.POST("/worksheets/:id/approve", server.Require(PermWSApprove), moves.Post(s.ApproveWorksheet, "Approved."))
	w.POST("/worksheets/:id/apply", server.Require(PermWSApply), moves.PostConfirmed(s.ApplyWorksheet, "Applied: the products have their new values.", server.Confirmation{Question: "Apply this worksheet now?"}))
	w.POST("/worksheets/:id/reject", server.Require(PermWSApprove), s.rejectWorksheetSubmit)
	w.POST("/worksheets/:id/delete", server.Require(PermWSDelete), s.deleteWorksheetSubmit)
	w.POST("/worksheets/:id/items", server.Require(PermWSCreate), s.addWorksheetItemsSubmit)
	w.POST("/worksheets/:id/items/:itemId", server.Require(PermWSCreate), s.worksheetCellSubmit)
	w.POST("/worksheets/:id/items/:itemId/delete", server.Require(PermWSCreate), s.removeWorksheetItemSubmit)
	w.POST("/worksheets/:id/paste", server.Require(PermWSCreate), s.pastePricesSubmit)

	w.GET("/specials", server.Require(PermSpecialsView), s.specialsPage)
	w.GET("/specials/new", server.Require(PermSpecialsManage), s.newSpecialPage)
	w.POST("/specials", server.Require(PermSpecialsManage), s.saveSpecialSubmit)
	w.GET("/specials/:id/edit", server.Require(PermSpecialsManage), s.editSpecialPage)
	w.POST("/specials/:id", server.Require(PermSpecialsManage), s.saveSpecialSubmit)
	w.POST("/specials/:id/deactivate", server.Require(PermSpecialsManage), s.specialActiveSubmit(false))
	w.POST("/specials/:id/activate", server.Require(PermSpecialsManage), s.specialActiveSubmit(true))
	w.POST("/specials/:id/delete", server.Require(PermSpecialsManage), s.deleteSpecialSubmit)

	w.GET("/price-history/:productId", server.Require("products.view"), s.priceHistoryPage)
	w.GET("/store-prices", server.Require(PermStorePricesView), s.storePricesPage)
	w.POST("/store-prices", server.Require(PermStorePricesManage), s.storePriceSubmit)
	w.POST("/store-prices/:id/delete", server.Require(PermStorePricesManage), s.deleteStorePriceSubmit)
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
