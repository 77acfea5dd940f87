package catalog

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// TaxRateInput creates or changes a tax rate. Rate is in basis points (825 = 8.25%).
type TaxRateInput struct {
	Code       *string `json:"code" validate:"omitempty,max=20"`
	Name       string  `json:"name" validate:"required,max=80"`
	Rate       *int64  `json:"rate" validate:"required,gte=0,lte=100000"`
	IsCompound bool    `json:"isCompound"`
	IsActive   *bool   `json:"isActive"`
}

// TaxRateInputOf is the input that would leave r as it is.
func TaxRateInputOf(r models.TaxRate) TaxRateInput {
	rate, active := r.Rate, r.IsActive
	return TaxRateInput{Code: r.Code, Name: r.Name, Rate: &rate, IsCompound: r.IsCompound, IsActive: &active}
}

// ListTaxRates returns every tax rate by name.
func (s *Service) ListTaxRates(ctx context.Context) ([]TaxRateRow, error) {
	db := s.db.WithContext(ctx)
	var rates []models.TaxRate
	if err := db.Order("lower(name)").Find(&rates).Error; err != nil {
		return nil, fmt.Errorf("list tax rates: %w", err)
	}
	var uses []struct {
		TaxRateID uuid.UUID
		Name      string
	}
	err := db.Table("tax_group_rates gr").Select("gr.tax_rate_id, g.name").
		Joins("JOIN tax_groups g ON g.id = gr.tax_group_id").Order("lower(g.name)").Scan(&uses).Error
	if err != nil {
		return nil, fmt.Errorf("tax rate groups: %w", err)
	}
	groups := map[uuid.UUID][]string{}
	for _, u := range uses {
		groups[u.TaxRateID] = append(groups[u.TaxRateID], u.Name)
	}
	rows := make([]TaxRateRow, len(rates))
	for i, r := range rates {
		rows[i] = TaxRateRow{TaxRate: r, Groups: groups[r.ID]}
		if rows[i].Groups == nil {
			rows[i].Groups = []string{}
		}
	}
	return rows, nil
}

// TaxRate returns one tax rate.
func (s *Service) TaxRate(ctx context.Context, id uuid.UUID) (models.TaxRate, error) {
	var r models.TaxRate
	err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error
	return r, models.NotFoundIf(err, "tax rate")
}

func applyTaxRate(in TaxRateInput, r *models.TaxRate) error {
	if err := models.Validate(in); err != nil {
		return err
	}
	r.Code, r.Name, r.Rate, r.IsCompound = optionalText(in.Code), strings.TrimSpace(in.Name), *in.Rate, in.IsCompound
	r.IsActive = boolOr(in.IsActive, true)
	return nil
}

func taxRateWriteError(err error, r models.TaxRate) error {
	switch {
	case models.IsUniqueViolation(err, "tax_rates_name_key"):
		return conflictOn("name", fmt.Sprintf("there is already a tax rate named %q", r.Name))
	case models.IsUniqueViolation(err, "tax_rates_code_key"):
		return conflictOn("code", fmt.Sprintf("tax rate code %q is already used", *r.Code))
	}
	return fmt.Errorf("save tax rate: %w", err)
}

// taxRateWrites adds and changes tax rates.
var taxRateWrites = tableWrites[models.TaxRate, TaxRateInput]{noun: "tax rate", auditType: "tax_rate",
	apply: applyTaxRate, writeError: taxRateWriteError, idOf: func(r models.TaxRate) uuid.UUID { return r.ID }}

// CreateTaxRate adds a tax rate.
func (s *Service) CreateTaxRate(ctx context.Context, actor models.Actor, in TaxRateInput) (models.TaxRate, error) {
	return taxRateWrites.create(ctx, s, actor, in)
}

// UpdateTaxRate changes a tax rate; products in its groups are taxed at the new rate from now on
// (past sales keep the rate they were sold with).
func (s *Service) UpdateTaxRate(ctx context.Context, actor models.Actor, id uuid.UUID, in TaxRateInput) (models.TaxRate, error) {
	return taxRateWrites.update(ctx, s, actor, id, in)
}

// DeleteTaxRate removes a tax rate that no group uses.
func (s *Service) DeleteTaxRate(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var r models.TaxRate
		if err := lock(tx, &r, id, "tax rate"); err != nil {
			return err
		}
		var groups []string
		err := tx.Table("tax_group_rates gr").Joins("JOIN tax_groups g ON g.id = gr.tax_group_id").
			Where("gr.tax_rate_id = ?", id).Order("g.name").Pluck("g.name", &groups).Error
		if err != nil {
			return err
		}
		if len(groups) > 0 {
			return models.Conflict("tax rate %s is used by tax group %s; remove it from the group first", r.Name, strings.Join(groups, ", "))
		}
		if err := tx.Delete(&r).Error; err != nil {
			return fmt.Errorf("delete tax rate: %w", err)
		}
		return models.Audit(ctx, tx, actor, "delete", "tax_rate", r.ID, r, nil)
	})
}

// TaxGroupInput creates or changes a tax group. Its rates come either as Rates (each with a
// sort order) or as TaxRateIDs in order; when both are absent on update the rates stay.
type TaxGroupInput struct {
	Name        string           `json:"name" validate:"required,max=80"`
	Description string           `json:"description" validate:"max=500"`
	Rates       []GroupRateInput `json:"rates" validate:"omitempty,max=20,dive"`
	TaxRateIDs  []string         `json:"taxRateIds" validate:"omitempty,max=20"`
}

// TaxGroupInputOf is the input that would leave g as it is (its rates untouched).
func TaxGroupInputOf(g TaxGroupView) TaxGroupInput {
	return TaxGroupInput{Name: g.Name, Description: g.Description}
}

// GroupRateInput places a rate in a group.
type GroupRateInput struct {
	TaxRateID string `json:"taxRateId" validate:"required"`
	SortOrder *int   `json:"sortOrder" validate:"omitempty,gte=0,lte=1000"`
}

// ListTaxGroups returns every tax group with its rates.
func (s *Service) ListTaxGroups(ctx context.Context) ([]TaxGroupView, error) {
	var groups []models.TaxGroup
	if err := s.db.WithContext(ctx).Order("lower(name)").Find(&groups).Error; err != nil {
		return nil, fmt.Errorf("list tax groups: %w", err)
	}
	return s.groupViews(ctx, groups)
}

// TaxGroup returns one tax group with its rates.
func (s *Service) TaxGroup(ctx context.Context, id uuid.UUID) (TaxGroupView, error) {
	var g models.TaxGroup
	if err := s.db.WithContext(ctx).Take(&g, "id = ?", id).Error; err != nil {
		return TaxGroupView{}, models.NotFoundIf(err, "tax group")
	}
	views, err := s.groupViews(ctx, []models.TaxGroup{g})
	if err != nil {
		return TaxGroupView{}, err
	}
	return views[0], nil
}

func (s *Service) groupViews(ctx context.Context, groups []models.TaxGroup) ([]TaxGroupView, error) {
	ids := make([]uuid.UUID, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	rates, err := models.TaxGroupRates(ctx, s.db, ids...)
	if err != nil {
		return nil, err
	}
	var counts []struct {
		TaxGroupID uuid.UUID
		N          int64
	}
	if len(ids) > 0 {
		err = models.LiveProducts(s.db.WithContext(ctx)).Select("tax_group_id, count(*) AS n").
			Where("tax_group_id IN ?", ids).Group("tax_group_id").Scan(&counts).Error
		if err != nil {
			return nil, fmt.Errorf("count tax group products: %w", err)
		}
	}
	n := map[uuid.UUID]int64{}
	for _, c := range counts {
		n[c.TaxGroupID] = c.N
	}
	out := make([]TaxGroupView, len(groups))
	for i, g := range groups {
		out[i] = TaxGroupView{ID: g.ID, Name: g.Name, Description: g.Description, Rates: rates[g.ID],
			ProductCount: n[g.ID], CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
		if out[i].Rates == nil {
			out[i].Rates = []models.GroupRate{}
		}
	}
	return out, nil
}

// groupRates checks the rates of in and returns them in order, or nil when in carries none
// (keep the current rates).
func groupRates(tx *gorm.DB, in TaxGroupInput, e *models.Error) ([]models.TaxGroupRate, bool, error) {
	if in.Rates != nil && in.TaxRateIDs != nil {
		e.Add("rates", "send either rates or taxRateIds, not both")
		return nil, false, nil
	}
	if in.Rates == nil && in.TaxRateIDs == nil {
		return nil, false, nil
	}
	type entry struct {
		field, raw string
		order      int
	}
	var entries []entry
	for i, r := range in.Rates {
		order := i
		if r.SortOrder != nil {
			order = *r.SortOrder
		}
		entries = append(entries, entry{fmt.Sprintf("rates[%d].taxRateId", i), r.TaxRateID, order})
	}
	for i, raw := range in.TaxRateIDs {
		entries = append(entries, entry{fmt.Sprintf("taxRateIds[%d]", i), raw, i})
	}
	out := make([]models.TaxGroupRate, 0, len(entries))
	seen := map[uuid.UUID]bool{}
	for _, en := range entries {
		raw := en.raw
		id := parseOptionalID(e, en.field, &raw)
		if id == nil {
			if len(e.Fields[en.field]) == 0 {
				e.Add(en.field, "is required")
			}
			continue
		}
		if seen[*id] {
			e.Add(en.field, "appears twice in the group")
			continue
		}
		seen[*id] = true
		ok, err := exists(tx, "tax_rates", *id)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			e.Add(en.field, "is not a known tax rate")
			continue
		}
		out = append(out, models.TaxGroupRate{TaxRateID: *id, SortOrder: en.order})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].SortOrder < out[j].SortOrder })
	return out, true, nil
}

func taxGroupWriteError(err error, name string) error {
	if models.IsUniqueViolation(err, "tax_groups_name_key") {
		return conflictOn("name", fmt.Sprintf("there is already a tax group named %q", name))
	}
	return fmt.Errorf("save tax group: %w", err)
}

// saveTaxGroup validates in onto g, writes g and (when given) its rates.
func saveTaxGroup(tx *gorm.DB, in TaxGroupInput, g *models.TaxGroup, create bool) error {
	e, err := validation(in)
	if err != nil {
		return err
	}
	rates, replace, err := groupRates(tx, in, e)
	if err != nil {
		return err
	}
	if err := e.Err(); err != nil {
		return err
	}
	g.Name, g.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	if create {
		err = tx.Omit("Rates").Create(g).Error
	} else {
		err = tx.Omit("Rates").Save(g).Error
	}
	if err != nil {
		return taxGroupWriteError(err, g.Name)
	}
	if !replace {
		return nil
	}
	if err := tx.Where("tax_group_id = ?", g.ID).Delete(&models.TaxGroupRate{}).Error; err != nil {
		return fmt.Errorf("replace tax group rates: %w", err)
	}
	for i := range rates {
		rates[i].TaxGroupID = g.ID
	}
	if len(rates) > 0 {
		if err := tx.Omit("TaxRate").Create(&rates).Error; err != nil {
			return fmt.Errorf("save tax group rates: %w", err)
		}
	}
	return nil
}

// CreateTaxGroup adds a tax group with its rates.
func (s *Service) CreateTaxGroup(ctx context.Context, actor models.Actor, in TaxGroupInput) (TaxGroupView, error) {
	var g models.TaxGroup
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := saveTaxGroup(tx, in, &g, true); err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "create", "tax_group", g.ID, nil, in)
	})
	if err != nil {
		return TaxGroupView{}, err
	}
	return s.TaxGroup(ctx, g.ID)
}

// UpdateTaxGroup changes a tax group and, when given, replaces its rates.
func (s *Service) UpdateTaxGroup(ctx context.Context, actor models.Actor, id uuid.UUID, in TaxGroupInput) (TaxGroupView, error) {
	before, err := s.TaxGroup(ctx, id)
	if err != nil {
		return TaxGroupView{}, err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var g models.TaxGroup
		if err := lock(tx, &g, id, "tax group"); err != nil {
			return err
		}
		if err := saveTaxGroup(tx, in, &g, false); err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "update", "tax_group", g.ID, before, in)
	})
	if err != nil {
		return TaxGroupView{}, err
	}
	return s.TaxGroup(ctx, id)
}

// DeleteTaxGroup removes a tax group that no product uses.
func (s *Service) DeleteTaxGroup(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	before, err := s.TaxGroup(ctx, id)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var g models.TaxGroup
		if err := lock(tx, &g, id, "tax group"); err != nil {
			return err
		}
		n, err := countWhere(tx, "products", "tax_group_id = ?", id)
		if err != nil {
			return err
		}
		if n > 0 {
			return models.Conflict("tax group %s is used by %s; give them another tax group first", g.Name, plural(n, "product"))
		}
		if err := tx.Delete(&g).Error; err != nil {
			return fmt.Errorf("delete tax group: %w", err)
		}
		return models.Audit(ctx, tx, actor, "delete", "tax_group", g.ID, before, nil)
	})
}
