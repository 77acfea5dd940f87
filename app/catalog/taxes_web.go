package catalog

import (
	"errors"
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

// postedTaxRate is the tax rate form as posted.
type postedTaxRate struct {
	Name       string   `form:"name"`
	Code       string   `form:"code"`
	Rate       percent  `form:"rate"`
	IsCompound string   `form:"isCompound"` // compound only when exactly "true", as it always was
	IsActive   checkbox `form:"isActive"`
}

func (f postedTaxRate) input() TaxRateInput {
	return TaxRateInput{Name: f.Name, Code: ptr(f.Code), Rate: f.Rate.bp, IsCompound: f.IsCompound == "true", IsActive: f.IsActive.ptr()}
}

// percent is a rate as typed ("8.25"), in basis points; blank is none (nil), which the rate's
// own rules then call required.
type percent struct{ bp *int64 }

func (p *percent) UnmarshalParam(s string) error {
	if s == "" {
		return nil
	}
	bp, err := money.ParseBP(s)
	if err != nil {
		return errors.New("must be a percentage such as 8.25")
	}
	p.bp = &bp
	return nil
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
	var f postedTaxRate
	form, e, err := bindForm(c, &f)
	if err != nil {
		server.Fail(c, err)
		return
	}
	in := f.input()
	err = e.Err()
	var r models.TaxRate
	if err == nil {
		r, err = save(in)
	} else if e.Merge(models.Validate(in)) == nil {
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

func (s *Service) taxRatesEdit(c *gin.Context) {
	if id, r, ok := loaded(c, "tax rate", s.TaxRate); ok {
		s.taxRateForm(c, id, views.Form{Values: taxRateValues(r)}, nil)
	}
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

func (s *Service) taxRatesDeleteConfirm(c *gin.Context) {
	if id, r, ok := loaded(c, "tax rate", s.TaxRate); ok {
		confirmDelete(c, "tax rate", r.Name, "Only a rate that is in no tax group can be deleted.", "/taxes/"+id.String()+"/delete", "/taxes")
	}
}

func (s *Service) taxRatesDelete(c *gin.Context) {
	if id, ok := idParam(c, "tax rate"); ok {
		deletedTo(c, s.DeleteTaxRate(c.Request.Context(), server.Actor(c), id), "tax rate", "/taxes")
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

// postedTaxGroup is the tax group form's fixed fields as posted; its rates are named after
// each rate's id, so taxGroupInputOf reads them.
type postedTaxGroup struct {
	Name        string `form:"name"`
	Description string `form:"description"`
}

// taxGroupInputOf reads the group form: ticked rates (name "rate") with their order fields.
func taxGroupInputOf(c *gin.Context, f postedTaxGroup) (TaxGroupInput, map[string]string, *models.Error) {
	e := models.Invalid()
	in := TaxGroupInput{Name: f.Name, Description: f.Description, Rates: []GroupRateInput{}}
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
	var f postedTaxGroup
	form, _, err := bindForm(c, &f) // two strings: nothing that cannot parse
	if err != nil {
		server.Fail(c, err)
		return
	}
	in, chosen, e := taxGroupInputOf(c, f)
	err = e.Err()
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

func (s *Service) taxGroupsDeleteConfirm(c *gin.Context) {
	if id, g, ok := loaded(c, "tax group", s.TaxGroup); ok {
		confirmDelete(c, "tax group", g.Name, "Only a group no product uses can be deleted.", "/taxes/groups/"+id.String()+"/delete", "/taxes")
	}
}

func (s *Service) taxGroupsDelete(c *gin.Context) {
	if id, ok := idParam(c, "tax group"); ok {
		deletedTo(c, s.DeleteTaxGroup(c.Request.Context(), server.Actor(c), id), "tax group", "/taxes")
	}
}
