package customers

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// CustomerInput creates or changes a customer. A blank code on create is generated
// (CUST-00042); on update it keeps the current one. IsActive nil keeps the current value.
type CustomerInput struct {
	Code      string `json:"code" validate:"max=20"`
	FirstName string `json:"firstName" validate:"required,max=80"`
	LastName  string `json:"lastName" validate:"required,max=80"`
	Email     string `json:"email" validate:"omitempty,email,max=254"`
	Phone     string `json:"phone" validate:"max=40"`
	TaxID     string `json:"taxId" validate:"max=40"`
	Notes     string `json:"notes" validate:"max=2000"`
	IsActive  *bool  `json:"isActive"`
}

// CustomerInputOf is the input that leaves c as it is.
func CustomerInputOf(c models.Customer) CustomerInput {
	active := c.IsActive
	return CustomerInput{Code: c.Code, FirstName: c.FirstName, LastName: c.LastName, Email: c.Email,
		Phone: c.Phone, TaxID: c.TaxID, Notes: c.Notes, IsActive: &active}
}

func (in *CustomerInput) check() error {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.FirstName, in.LastName = strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	in.Email, in.Phone = strings.TrimSpace(in.Email), strings.TrimSpace(in.Phone)
	in.TaxID, in.Notes = strings.TrimSpace(in.TaxID), strings.TrimSpace(in.Notes)
	return validate(in, in.Code)
}

// CustomerFilter narrows the customer list. Search matches an exact code, a name fragment
// (every word must appear in "first last") or, when it looks like a phone number, the digits
// of the phone.
type CustomerFilter struct {
	Search string
	Active ActiveFilter
}

var phoneLike = regexp.MustCompile(`^[0-9+()\-. ]+$`)
var nonDigit = regexp.MustCompile(`\D`)

// ListCustomers returns a page of customers by last then first name.
func (s *Service) ListCustomers(ctx context.Context, f CustomerFilter, p models.Page) ([]models.Customer, int64, error) {
	q, err := f.Active.apply(s.db.WithContext(ctx).Model(&models.Customer{}))
	if err != nil {
		return nil, 0, err
	}
	if term := strings.TrimSpace(f.Search); term != "" {
		cond := s.db.Where("upper(code) = upper(?)", term)
		var name *gorm.DB
		for _, w := range strings.Fields(strings.ToLower(term)) {
			part := s.db.Where(`lower(first_name || ' ' || last_name) LIKE ?`, "%"+likeEscape(w)+"%")
			if name == nil {
				name = part
			} else {
				name = name.Where(part)
			}
		}
		cond = cond.Or(name)
		if digits := nonDigit.ReplaceAllString(term, ""); phoneLike.MatchString(term) && len(digits) >= 3 {
			cond = cond.Or(`phone <> '' AND regexp_replace(phone, '\D', '', 'g') LIKE ?`, "%"+digits+"%")
		}
		q = q.Where(cond)
	}
	return models.Paged[models.Customer](q, p, "lower(last_name), lower(first_name), code")
}

// Customer returns one customer.
func (s *Service) Customer(ctx context.Context, id uuid.UUID) (models.Customer, error) {
	var c models.Customer
	err := s.db.WithContext(ctx).Take(&c, "id = ?", id).Error
	return c, models.NotFoundIf(err, "customer")
}

// CreateCustomer adds a customer, generating the next free CUST-nnnnn code when none is given.
func (s *Service) CreateCustomer(ctx context.Context, actor models.Actor, in CustomerInput) (models.Customer, error) {
	var c models.Customer
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		c, err = CreateCustomerTx(ctx, tx, actor, in)
		return err
	})
	return c, err
}

// CreateCustomerTx creates a customer as CreateCustomer does, inside the caller's transaction.
func CreateCustomerTx(ctx context.Context, tx *gorm.DB, actor models.Actor, in CustomerInput) (models.Customer, error) {
	return ImportCustomerTx(ctx, tx, actor, models.NewID(), in)
}

// ImportCustomerTx creates a customer under the id given: one a store server made while
// selling, which its pushed sales name by that id.
func ImportCustomerTx(ctx context.Context, tx *gorm.DB, actor models.Actor, id uuid.UUID, in CustomerInput) (models.Customer, error) {
	if err := in.check(); err != nil {
		return models.Customer{}, err
	}
	c := models.Customer{ID: id, Code: in.Code, FirstName: in.FirstName, LastName: in.LastName,
		Email: in.Email, Phone: in.Phone, TaxID: in.TaxID, Notes: in.Notes, IsActive: in.IsActive == nil || *in.IsActive}
	if c.Code == "" {
		code, err := nextCustomerCode(tx)
		if err != nil {
			return c, err
		}
		c.Code = code
	}
	if err := tx.Create(&c).Error; err != nil {
		return c, customerSaveError(err, c.Code)
	}
	return c, models.Audit(ctx, tx, actor, "customer.create", "customer", c.ID, nil, c)
}

// nextCustomerCode takes numbers from the sequence until one is not already used by a code
// someone typed by hand.
func nextCustomerCode(tx *gorm.DB) (string, error) {
	for range 1000 {
		var code string
		if err := tx.Raw(`SELECT 'CUST-' || lpad(nextval('customer_code_seq')::text, 5, '0')`).Scan(&code).Error; err != nil {
			return "", fmt.Errorf("next customer code: %w", err)
		}
		var taken int64
		if err := tx.Model(&models.Customer{}).Where("upper(code) = ?", code).Count(&taken).Error; err != nil {
			return "", err
		}
		if taken == 0 {
			return code, nil
		}
	}
	return "", fmt.Errorf("next customer code: no free number after 1000 tries")
}

func customerSaveError(err error, code string) error {
	if models.IsUniqueViolation(err, "customers_code_key") {
		return conflict("code", "customer code "+code+" is already used")
	}
	return fmt.Errorf("save customer: %w", err)
}

// UpdateCustomer replaces a customer's fields (a blank code keeps the current one).
func (s *Service) UpdateCustomer(ctx context.Context, actor models.Actor, id uuid.UUID, in CustomerInput) (models.Customer, error) {
	if err := in.check(); err != nil {
		return models.Customer{}, err
	}
	var c models.Customer
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&c, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "customer")
		}
		before := c
		if in.Code != "" {
			c.Code = in.Code
		}
		c.FirstName, c.LastName, c.Email, c.Phone, c.TaxID, c.Notes = in.FirstName, in.LastName, in.Email, in.Phone, in.TaxID, in.Notes
		if in.IsActive != nil {
			c.IsActive = *in.IsActive
		}
		if err := tx.Save(&c).Error; err != nil {
			return customerSaveError(err, c.Code)
		}
		return models.Audit(ctx, tx, actor, "customer.update", "customer", c.ID, before, c)
	})
	return c, err
}

// DeactivateCustomer is the customer "delete": sales keep pointing at the customer, so the row
// stays and is only marked inactive (hidden from the POS search).
func (s *Service) DeactivateCustomer(ctx context.Context, actor models.Actor, id uuid.UUID) (models.Customer, error) {
	return s.setCustomerActive(ctx, actor, id, false)
}

// ReactivateCustomer undoes a deactivation.
func (s *Service) ReactivateCustomer(ctx context.Context, actor models.Actor, id uuid.UUID) (models.Customer, error) {
	return s.setCustomerActive(ctx, actor, id, true)
}

func (s *Service) setCustomerActive(ctx context.Context, actor models.Actor, id uuid.UUID, active bool) (models.Customer, error) {
	var c models.Customer
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&c, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "customer")
		}
		before := c
		c.IsActive = active
		if err := tx.Model(&c).Updates(map[string]any{"is_active": active, "updated_at": gorm.Expr("now()")}).Error; err != nil {
			return err
		}
		action := "customer.deactivate"
		if active {
			action = "customer.activate"
		}
		return models.Audit(ctx, tx, actor, action, "customer", c.ID, before, c)
	})
	return c, err
}
