package catalog

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	views "backroom/views/catalog"
	"backroom/views/components"
)

// ---- taxes

func (s *Service) taxesIndex(c *gin.Context) {
	ctx := c.Request.Context()
	rates, err := s.ListTaxRates(ctx)
	if err != nil {
		server.Fail(c, err)
		return
	}
	groups, err := s.ListTaxGroups(ctx)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.TaxesPageView(page(c, "Taxes"), views.TaxesPage{Rates: rates, Groups: groups, CanManage: server.Actor(c).Can("taxes.manage")}))
}

// taxRatePages serves the tax rate pages that work like every record's: edit and delete.
func (s *Service) taxRatePages(r resources) recordPages[models.TaxRate, TaxRateInput] {
	return recordPages[models.TaxRate, TaxRateInput]{
		resource:   r.taxRates,
		path:       "/taxes",
		list:       "/taxes",
		nameOf:     func(t models.TaxRate) string { return t.Name },
		deleteNote: "Only a rate that is in no tax group can be deleted.",
		form:       s.taxRateForm,
		valuesOf:   taxRateValues,
	}
}

var taxRateFields = []string{"name", "code", "rate", "isCompound", "isActive"}

func taxRateInputOf(f views.Form) (TaxRateInput, *models.Error) {
	v := f.Values
	e := models.Invalid()
	in := TaxRateInput{Name: v["name"], Code: ptr(v["code"]), IsCompound: v["isCompound"] == "true", IsActive: flag(v["isActive"])}
	if v["rate"] != "" {
		bp, err := money.ParseBP(v["rate"])
		if err != nil {
			e.Add("rate", "must be a percentage such as 8.25")
		} else {
			in.Rate = &bp
		}
	}
	return in, e
}

func (s *Service) taxRateForm(c *gin.Context, id uuid.UUID, form views.Form, err error) {
	editForm(c, "tax rate", id, views.EditForm{Form: form}, err, views.TaxRateFormPage)
}

// taxRateValues shows a tax rate on its form (the rate as a percentage without the sign).
func taxRateValues(r models.TaxRate) map[string]string {
	return map[string]string{"name": r.Name, "code": views.Text(r.Code), "rate": strings.TrimSuffix(money.FormatBP(r.Rate), "%"),
		"isCompound": strconv.FormatBool(r.IsCompound), "isActive": strconv.FormatBool(r.IsActive)}
}

// saveTaxRate reads the posted rate and runs save with it.
func (s *Service) saveTaxRate(c *gin.Context, id uuid.UUID, save func(TaxRateInput) (models.TaxRate, error)) {
	form := formValues(c, taxRateFields...)
	in, e := taxRateInputOf(form)
	err := e.Err()
	var r models.TaxRate
	if err == nil {
		r, err = save(in)
	} else if merge(e, models.Validate(in)) == nil {
		err = e.Err()
	}
	if err != nil {
		s.taxRateForm(c, id, form, err)
		return
	}
	saved(c, "Tax rate "+r.Name+" saved.", "/taxes")
}

func (s *Service) taxRatesNew(c *gin.Context) {
	s.taxRateForm(c, uuid.Nil, views.Form{Values: map[string]string{"isActive": "true"}}, nil)
}

func (s *Service) taxRatesCreate(c *gin.Context) {
	s.saveTaxRate(c, uuid.Nil, func(in TaxRateInput) (models.TaxRate, error) {
		return s.CreateTaxRate(c.Request.Context(), server.Actor(c), in)
	})
}

func (s *Service) taxRatesUpdate(c *gin.Context) {
	id, ok := idParam(c, "tax rate")
	if !ok {
		return
	}
	s.saveTaxRate(c, id, func(in TaxRateInput) (models.TaxRate, error) {
		return s.UpdateTaxRate(c.Request.Context(), server.Actor(c), id, in)
	})
}

// taxGroupPages serves the tax group pages that work like every record's: delete.
func (s *Service) taxGroupPages(r resources) recordPages[TaxGroupView, TaxGroupInput] {
	return recordPages[TaxGroupView, TaxGroupInput]{
		resource:   r.taxGroups,
		path:       "/taxes/groups",
		list:       "/taxes",
		nameOf:     func(g TaxGroupView) string { return g.Name },
		deleteNote: "Only a group no product uses can be deleted.",
	}
}

// taxGroupForm renders the group form; chosen maps rate ids to their typed order.
func (s *Service) taxGroupForm(c *gin.Context, id uuid.UUID, form views.Form, chosen map[string]string, err error) {
	rates, rerr := s.ListTaxRates(c.Request.Context())
	if rerr != nil {
		server.Fail(c, rerr)
		return
	}
	d := views.TaxGroupForm{Form: form}
	for _, r := range rates {
		order, in := chosen[r.ID.String()]
		if !in {
			order = c.PostForm("order_" + r.ID.String())
		}
		d.Rates = append(d.Rates, views.RateChoice{Rate: r.TaxRate, Included: in, Order: order})
	}
	title := "New tax group"
	if id != uuid.Nil {
		d.ID, title = id.String(), "Edit tax group"
	}
	render := func() templ.Component { return views.TaxGroupFormPage(page(c, title), d) }
	if err != nil {
		formFailed(c, err, &d.Form, render)
		return
	}
	server.Render(c, http.StatusOK, render())
}

// taxGroupInputOf reads the group form: ticked rates (name "rate") with their order fields.
func taxGroupInputOf(c *gin.Context, form views.Form) (TaxGroupInput, map[string]string, *models.Error) {
	e := models.Invalid()
	in := TaxGroupInput{Name: form.Values["name"], Description: form.Values["description"], Rates: []GroupRateInput{}}
	chosen := map[string]string{}
	for _, id := range c.PostFormArray("rate") {
		raw := strings.TrimSpace(c.PostForm("order_" + id))
		chosen[id] = raw
		r := GroupRateInput{TaxRateID: id}
		if raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 0 {
				e.Add("rates", "each order must be a whole number such as 1 or 2")
				continue
			}
			r.SortOrder = &n
		}
		in.Rates = append(in.Rates, r)
	}
	return in, chosen, e
}

func (s *Service) saveTaxGroup(c *gin.Context, id uuid.UUID, save func(TaxGroupInput) (TaxGroupView, error)) {
	form := formValues(c, "name", "description")
	in, chosen, e := taxGroupInputOf(c, form)
	err := e.Err()
	var g TaxGroupView
	if err == nil {
		g, err = save(in)
	}
	if err != nil {
		// Rate errors are keyed rates[i].taxRateId by the service: shown together on the table.
		if fe := components.ErrorsOf(err); fe != nil {
			for k, msgs := range fe {
				if strings.HasPrefix(k, "rates[") {
					fe["rates"] = append(fe["rates"], msgs...)
				}
			}
		}
		s.taxGroupForm(c, id, form, chosen, err)
		return
	}
	saved(c, "Tax group "+g.Name+" saved.", "/taxes")
}

func (s *Service) taxGroupsNew(c *gin.Context) {
	s.taxGroupForm(c, uuid.Nil, views.Form{Values: map[string]string{}}, map[string]string{}, nil)
}

func (s *Service) taxGroupsCreate(c *gin.Context) {
	s.saveTaxGroup(c, uuid.Nil, func(in TaxGroupInput) (TaxGroupView, error) {
		return s.CreateTaxGroup(c.Request.Context(), server.Actor(c), in)
	})
}

func (s *Service) taxGroupsEdit(c *gin.Context) {
	id, ok := idParam(c, "tax group")
	if !ok {
		return
	}
	g, err := s.TaxGroup(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	chosen := map[string]string{}
	for i, r := range g.Rates {
		chosen[r.ID.String()] = strconv.Itoa(i + 1)
	}
	s.taxGroupForm(c, id, views.Form{Values: map[string]string{"name": g.Name, "description": g.Description}}, chosen, nil)
}

func (s *Service) taxGroupsUpdate(c *gin.Context) {
	id, ok := idParam(c, "tax group")
	if !ok {
		return
	}
	s.saveTaxGroup(c, id, func(in TaxGroupInput) (TaxGroupView, error) {
		return s.UpdateTaxGroup(c.Request.Context(), server.Actor(c), id, in)
	})
}
