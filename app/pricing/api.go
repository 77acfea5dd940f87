package pricing

import (
	"context"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
)

// Mount adds the pricing API and pages.
func (s *Service) Mount(rt server.Routes) {
	api := rt.API
	api.GET("/store-prices", server.Require("store_prices.view"), s.apiListStorePrices)
	api.POST("/store-prices", server.Require("store_prices.manage"), s.apiUpsertStorePrice)
	api.DELETE("/store-prices/:id", server.Require("store_prices.manage"), s.apiDeleteStorePrice)

	api.GET("/specials", server.Require("specials.view"), s.apiListSpecials)
	api.GET("/specials/active", server.Require("specials.view"), s.apiActiveSpecials)
	api.GET("/specials/:id", server.Require("specials.view"), s.apiGetSpecial)
	api.POST("/specials", server.Require("specials.manage"), s.apiCreateSpecial)
	api.PUT("/specials/:id", server.Require("specials.manage"), s.apiUpdateSpecial)
	api.PATCH("/specials/:id/deactivate", server.Require("specials.manage"), s.apiDeactivateSpecial)
	api.PATCH("/specials/:id/activate", server.Require("specials.manage"), s.apiActivateSpecial)
	api.DELETE("/specials/:id", server.Require("specials.manage"), s.apiDeleteSpecial)

	api.GET("/worksheets", server.Require("worksheets.view"), s.apiListWorksheets)
	api.GET("/worksheets/:id", server.Require("worksheets.view"), s.apiGetWorksheet)
	api.POST("/worksheets", server.Require("worksheets.create"), s.apiCreateWorksheet)
	api.PUT("/worksheets/:id", server.Require("worksheets.create"), s.apiUpdateWorksheet)
	api.POST("/worksheets/:id/items", server.Require("worksheets.create"), s.apiAddWorksheetItem)
	api.PUT("/worksheets/:id/items/:itemId", server.Require("worksheets.create"), s.apiUpdateWorksheetItem)
	api.DELETE("/worksheets/:id/items/:itemId", server.Require("worksheets.create"), s.apiRemoveWorksheetItem)
	api.DELETE("/worksheets/:id", server.Require("worksheets.delete"), s.apiDeleteWorksheet)
	api.PATCH("/worksheets/:id/submit", server.Require("worksheets.submit"), s.apiSubmitWorksheet)
	api.PATCH("/worksheets/:id/approve", server.Require("worksheets.approve"), s.apiApproveWorksheet)
	api.PATCH("/worksheets/:id/reject", server.Require("worksheets.approve"), s.apiRejectWorksheet)
	api.PATCH("/worksheets/:id/apply", server.Require("worksheets.apply"), s.apiApplyWorksheet)

	api.GET("/prices/resolve", server.Require("products.view"), s.apiResolve)
	api.GET("/price-history", server.Require("products.view"), s.apiPriceHistory)
	s.mountWeb(rt)
}

// handle runs f and answers its result, or fails.
func handle[T any](c *gin.Context, created bool, f func(ctx context.Context, a models.Actor) (T, error)) {
	out, err := f(c.Request.Context(), server.Actor(c))
	if err != nil {
		server.Fail(c, err)
		return
	}
	if created {
		server.Created(c, out)
		return
	}
	server.OK(c, out)
}

func withID(c *gin.Context, f func(id uuid.UUID)) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	f(id)
}

// looseBool is the specials list's rule for active: true, 1 or yes, false, 0 or no, in any
// case; anything else means no filter rather than a 400, as it always has.
type looseBool struct{ v *bool }

func (b *looseBool) UnmarshalParam(s string) error {
	switch strings.ToLower(s) {
	case "true", "1", "yes":
		v := true
		b.v = &v
	case "false", "0", "no":
		v := false
		b.v = &v
	}
	return nil
}

func (s *Service) apiListStorePrices(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := server.QueryOf[StorePriceFilter](c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.ListStorePrices(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, rows, total, p)
}

func (s *Service) apiUpsertStorePrice(c *gin.Context) {
	var in StorePriceInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	handle(c, false, func(ctx context.Context, a models.Actor) (models.StorePrice, error) {
		return s.UpsertStorePrice(ctx, a, in)
	})
}

func (s *Service) apiDeleteStorePrice(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		handle(c, false, func(ctx context.Context, a models.Actor) (gin.H, error) {
			return gin.H{"id": id}, s.DeleteStorePrice(ctx, a, id)
		})
	})
}

// specialQuery is the specials list's query string.
type specialQuery struct {
	Active    looseBool  `query:"active"`
	ProductID *uuid.UUID `query:"product_id,productId"`
	StoreID   *uuid.UUID `query:"store_id,storeId"`
}

func specialFilter(c *gin.Context) (SpecialFilter, error) {
	var q specialQuery
	err := server.BindQuery(c, &q)
	return SpecialFilter{Active: q.Active.v, ProductID: q.ProductID, StoreID: q.StoreID}, err
}

func (s *Service) apiListSpecials(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := specialFilter(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.ListSpecials(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, rows, total, p)
}

func (s *Service) apiActiveSpecials(c *gin.Context) {
	store, err := server.UUIDQuery(c, "store_id", "storeId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	handle(c, false, func(ctx context.Context, a models.Actor) ([]models.Special, error) {
		return s.ActiveSpecials(ctx, a, store, time.Now())
	})
}

func (s *Service) apiGetSpecial(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		handle(c, false, func(ctx context.Context, a models.Actor) (models.Special, error) {
			return s.GetSpecial(ctx, a, id)
		})
	})
}

func (s *Service) apiCreateSpecial(c *gin.Context) {
	var in SpecialInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	handle(c, true, func(ctx context.Context, a models.Actor) (models.Special, error) {
		return s.CreateSpecial(ctx, a, in)
	})
}

func (s *Service) apiUpdateSpecial(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		var in SpecialInput
		if err := server.BindJSON(c, &in); err != nil {
			server.Fail(c, err)
			return
		}
		handle(c, false, func(ctx context.Context, a models.Actor) (models.Special, error) {
			return s.UpdateSpecial(ctx, a, id, in)
		})
	})
}

func (s *Service) apiDeactivateSpecial(c *gin.Context) { s.apiSetSpecialActive(c, false) }
func (s *Service) apiActivateSpecial(c *gin.Context)   { s.apiSetSpecialActive(c, true) }

// apiSetSpecialActive answers PATCH /specials/:id/deactivate and /activate.
func (s *Service) apiSetSpecialActive(c *gin.Context, active bool) {
	withID(c, func(id uuid.UUID) {
		handle(c, false, func(ctx context.Context, a models.Actor) (models.Special, error) {
			return s.SetSpecialActive(ctx, a, id, active)
		})
	})
}

func (s *Service) apiDeleteSpecial(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		handle(c, false, func(ctx context.Context, a models.Actor) (gin.H, error) {
			return gin.H{"id": id}, s.DeleteSpecial(ctx, a, id)
		})
	})
}

func (s *Service) apiListWorksheets(c *gin.Context) {
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	f, err := server.QueryOf[WorksheetFilter](c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	rows, total, err := s.ListWorksheets(c.Request.Context(), server.Actor(c), f, p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, rows, total, p)
}

func (s *Service) apiGetWorksheet(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		handle(c, false, func(ctx context.Context, a models.Actor) (models.Worksheet, error) {
			return s.GetWorksheet(ctx, a, id)
		})
	})
}

func (s *Service) apiCreateWorksheet(c *gin.Context) {
	var in WorksheetInput
	if err := server.BindJSON(c, &in); err != nil {
		server.Fail(c, err)
		return
	}
	handle(c, true, func(ctx context.Context, a models.Actor) (models.Worksheet, error) {
		return s.CreateWorksheet(ctx, a, in)
	})
}

func (s *Service) apiUpdateWorksheet(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		var in WorksheetInput
		if err := server.BindJSON(c, &in); err != nil {
			server.Fail(c, err)
			return
		}
		handle(c, false, func(ctx context.Context, a models.Actor) (models.Worksheet, error) {
			return s.UpdateWorksheet(ctx, a, id, in)
		})
	})
}

func (s *Service) apiUpdateWorksheetItem(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		itemID, err := server.IDParam(c, "itemId")
		if err != nil {
			server.Fail(c, err)
			return
		}
		var in ItemPatch
		if err := server.BindJSON(c, &in); err != nil {
			server.Fail(c, err)
			return
		}
		handle(c, false, func(ctx context.Context, a models.Actor) (models.WorksheetItem, error) {
			return s.UpdateWorksheetItem(ctx, a, id, itemID, in)
		})
	})
}

func (s *Service) apiDeleteWorksheet(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		handle(c, false, func(ctx context.Context, a models.Actor) (gin.H, error) {
			return gin.H{"id": id}, s.DeleteWorksheet(ctx, a, id)
		})
	})
}

func (s *Service) apiSubmitWorksheet(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		handle(c, false, func(ctx context.Context, a models.Actor) (models.Worksheet, error) {
			return s.SubmitWorksheet(ctx, a, id)
		})
	})
}

func (s *Service) apiApproveWorksheet(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		handle(c, false, func(ctx context.Context, a models.Actor) (models.Worksheet, error) {
			return s.ApproveWorksheet(ctx, a, id)
		})
	})
}

func (s *Service) apiRejectWorksheet(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		var in struct {
			Reason string `json:"reason"`
		}
		if err := server.BindJSON(c, &in); err != nil {
			server.Fail(c, err)
			return
		}
		handle(c, false, func(ctx context.Context, a models.Actor) (models.Worksheet, error) {
			return s.RejectWorksheet(ctx, a, id, in.Reason)
		})
	})
}

func (s *Service) apiApplyWorksheet(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		handle(c, false, func(ctx context.Context, a models.Actor) (models.Worksheet, error) {
			return s.ApplyWorksheet(ctx, a, id)
		})
	})
}

func (s *Service) apiResolve(c *gin.Context) {
	store, err := server.UUIDQuery(c, "store_id", "storeId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if store == nil {
		server.Fail(c, models.FieldError("store_id", "is required"))
		return
	}
	var ids []uuid.UUID
	for _, raw := range strings.Split(c.Query("product_id")+","+c.Query("productId"), ",") {
		if raw = strings.TrimSpace(raw); raw == "" {
			continue
		}
		id, err := uuid.Parse(raw)
		if err != nil {
			server.Fail(c, models.BadRequest("product_id must be ids separated by commas"))
			return
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 || len(ids) > 500 {
		server.Fail(c, models.FieldError("product_id", "give 1 to 500 product ids"))
		return
	}
	at := time.Now()
	if v := c.Query("at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			server.Fail(c, models.BadRequest("at must be an RFC 3339 time"))
			return
		}
		at = t
	}
	handle(c, false, func(ctx context.Context, a models.Actor) ([]Price, error) {
		m, err := ResolveMany(ctx, s.db, *store, ids, at)
		if err != nil {
			return nil, err
		}
		out := make([]Price, 0, len(ids))
		for _, id := range ids {
			if p, ok := m[id]; ok {
				out = append(out, p)
			}
		}
		return out, nil
	})
}

func (s *Service) apiPriceHistory(c *gin.Context) {
	pid, err := server.UUIDQuery(c, "product_id", "productId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if pid == nil {
		server.Fail(c, models.FieldError("productId", "is required"))
		return
	}
	handle(c, false, func(ctx context.Context, a models.Actor) ([]models.ProductChange, error) {
		return s.PriceHistory(ctx, *pid, 200)
	})
}

func (s *Service) apiAddWorksheetItem(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		var in WorksheetItemInput
		if err := server.BindJSON(c, &in); err != nil {
			server.Fail(c, err)
			return
		}
		handle(c, true, func(ctx context.Context, a models.Actor) (models.WorksheetItem, error) {
			return s.AddWorksheetItem(ctx, a, id, in)
		})
	})
}

func (s *Service) apiRemoveWorksheetItem(c *gin.Context) {
	withID(c, func(id uuid.UUID) {
		itemID, err := server.IDParam(c, "itemId")
		if err != nil {
			server.Fail(c, err)
			return
		}
		handle(c, false, func(ctx context.Context, a models.Actor) (gin.H, error) {
			return gin.H{"id": itemID}, s.RemoveWorksheetItem(ctx, a, id, itemID)
		})
	})
}
