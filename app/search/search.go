// Package search is the top bar's search: products by name, SKU or barcode, and purchase orders,
// transfers, worksheets and customers by number, code or name — each only for those who may see
// them, and only in their stores. A query that names exactly one thing (a scanned barcode, a PO
// number) opens it straight away.
package search

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"backroom/app/catalog"
	"backroom/app/customers"
	"backroom/app/money"
	"backroom/app/pricing"
	"backroom/app/purchasing"
	"backroom/app/server"
	"backroom/app/transfers"
	"backroom/models"
	pricingviews "backroom/views/pricing"
	poviews "backroom/views/purchasing"
	views "backroom/views/search"
	trviews "backroom/views/transfers"
)

// PerGroup is how many hits each kind shows; the group links to its full list for more.
const PerGroup = 5

// Service answers searches with the areas' own list queries, so scope and matching rules are
// the same as on each list page.
type Service struct {
	catalog    *catalog.Service
	purchasing *purchasing.Service
	transfers  *transfers.Service
	pricing    *pricing.Service
	customers  *customers.Service
}

// New builds the search over the areas' services, whose list queries it asks.
func New(catalog *catalog.Service, purchasing *purchasing.Service, transfers *transfers.Service, pricing *pricing.Service, customers *customers.Service) *Service {
	return &Service{catalog: catalog, purchasing: purchasing, transfers: transfers, pricing: pricing, customers: customers}
}

// Mount adds GET /search (a page, or the top bar's suggestions for an htmx request).
func (s *Service) Mount(rt server.Routes) {
	rt.Web.GET("/search", s.page)
}

// Search returns the groups with hits for q, in a fixed order; kinds the actor may not see are
// never searched.
func (s *Service) Search(ctx context.Context, actor models.Actor, q string) ([]views.Group, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	page := models.Page{Page: 1, PageSize: PerGroup}
	var groups []views.Group
	add := func(g views.Group, total int64) {
		if len(g.Hits) > 0 {
			g.Total = total
			groups = append(groups, g)
		}
	}
	if actor.Can("products.view") {
		rows, total, err := s.catalog.ListProducts(ctx, catalog.ProductFilter{Search: q, Active: catalog.ActiveAll, Page: page})
		if err != nil {
			return nil, err
		}
		g := views.Group{Label: "Products", More: "/products?q=" + url.QueryEscape(q)}
		for _, p := range rows {
			detail := p.SKU + " · " + money.Format(p.SellPrice)
			if p.Barcode != nil && *p.Barcode != "" {
				detail += " · " + *p.Barcode
			}
			status := ""
			if !p.IsActive {
				status = "inactive"
			}
			g.Hits = append(g.Hits, views.Hit{Title: p.Name, Detail: detail, Href: "/products/" + p.ID.String(), Status: status,
				Exact: strings.EqualFold(p.SKU, q) || (p.Barcode != nil && *p.Barcode == q)})
		}
		add(g, total)
	}
	if actor.Can(purchasing.PermView) {
		rows, total, err := s.purchasing.List(ctx, actor, purchasing.ListFilter{Search: q}, page)
		if err != nil {
			return nil, err
		}
		g := views.Group{Label: "Purchase orders", More: "/purchase-orders?q=" + url.QueryEscape(q)}
		for _, po := range rows {
			var parts []string
			if po.Supplier != nil {
				parts = append(parts, po.Supplier.Name)
			}
			if po.Store != nil {
				parts = append(parts, po.Store.Code)
			}
			detail := strings.Join(append(parts, money.Format(po.Total)), " · ")
			g.Hits = append(g.Hits, views.Hit{Title: po.Number, Detail: detail, Href: poviews.Path(po.ID, ""), Status: po.Status,
				Exact: strings.EqualFold(po.Number, q)})
		}
		add(g, total)
	}
	if actor.Can(transfers.PermView) {
		rows, total, err := s.transfers.List(ctx, actor, transfers.ListFilter{Search: q}, page)
		if err != nil {
			return nil, err
		}
		g := views.Group{Label: "Transfers", More: "/transfers?q=" + url.QueryEscape(q)}
		for _, t := range rows {
			g.Hits = append(g.Hits, views.Hit{Title: t.Number, Detail: t.Notes, Href: trviews.Path(t.ID, ""), Status: t.Status,
				Exact: strings.EqualFold(t.Number, q)})
		}
		add(g, total)
	}
	if actor.Can(pricing.PermWSView) {
		rows, total, err := s.pricing.ListWorksheets(ctx, actor, pricing.WorksheetFilter{Search: q}, page)
		if err != nil {
			return nil, err
		}
		g := views.Group{Label: "Worksheets", More: "/worksheets?q=" + url.QueryEscape(q)}
		for _, w := range rows {
			g.Hits = append(g.Hits, views.Hit{Title: w.Number, Detail: w.Description, Href: pricingviews.Path(w.ID, ""), Status: w.Status,
				Exact: strings.EqualFold(w.Number, q)})
		}
		add(g, total)
	}
	if actor.Can("customers.view") {
		rows, total, err := s.customers.ListCustomers(ctx, customers.CustomerFilter{Search: q}, page)
		if err != nil {
			return nil, err
		}
		g := views.Group{Label: "Customers", More: "/customers?search=" + url.QueryEscape(q)}
		for _, c := range rows {
			detail := c.Code
			for _, more := range []string{c.Email, c.Phone} {
				if more != "" {
					detail += " · " + more
				}
			}
			href := "/customers?search=" + url.QueryEscape(c.Code)
			if actor.Can("customers.edit") {
				href = "/customers/" + c.ID.String() + "/edit"
			}
			g.Hits = append(g.Hits, views.Hit{Title: strings.TrimSpace(c.FirstName + " " + c.LastName), Detail: detail, Href: href,
				Exact: strings.EqualFold(c.Code, q)})
		}
		add(g, total)
	}
	return groups, nil
}

// exact returns the one hit q names exactly (a barcode, SKU or number), if there is exactly one.
func exact(groups []views.Group) (views.Hit, bool) {
	var found []views.Hit
	for _, g := range groups {
		for _, h := range g.Hits {
			if h.Exact {
				found = append(found, h)
			}
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return views.Hit{}, false
}

func (s *Service) page(c *gin.Context) {
	q := strings.TrimSpace(c.Query("q"))
	if len(q) > 100 {
		q = q[:100]
	}
	groups, err := s.Search(c.Request.Context(), server.Actor(c), q)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if c.GetHeader("HX-Request") == "true" && c.GetHeader("HX-Target") == views.SuggestionsID {
		server.Render(c, http.StatusOK, views.Suggestions(q, groups))
		return
	}
	if hit, ok := exact(groups); ok && c.Query("all") == "" {
		server.Redirect(c, hit.Href)
		return
	}
	server.Render(c, http.StatusOK, views.Page(server.PageOf(c, "Search", ""), q, groups))
}
