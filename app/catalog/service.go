// Package catalog is the catalogue area: products, departments, tax rates and groups,
// suppliers, units and product–supplier links. Services hold the rules (no HTTP); api.go and
// web.go call them.
package catalog

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// Service runs the catalogue's rules on the database.
type Service struct {
	db *gorm.DB
}

// New returns the catalogue service.
func New(db *gorm.DB) *Service { return &Service{db: db} }

// tx runs fn in one transaction: nothing is half-written.
func (s *Service) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// validation runs the `validate` tags of in and returns the resulting error (to add more
// field messages to) or a fresh one.
func validation(in any) (*models.Error, error) {
	err := models.Validate(in)
	if err == nil {
		return models.Invalid(), nil
	}
	var ve *models.Error
	if errors.As(err, &ve) && errors.Is(err, models.ErrValidation) {
		return ve, nil
	}
	return nil, err
}

// parseOptionalID reads an optional id field: nil or "" is none, anything else must be a UUID.
func parseOptionalID(e *models.Error, field string, s *string) *uuid.UUID {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	id, err := uuid.Parse(strings.TrimSpace(*s))
	if err != nil {
		e.Add(field, "must be a valid id")
		return nil
	}
	return &id
}

// optionalText trims s; blank becomes nil (for nullable unique codes).
func optionalText(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil
	}
	return &t
}

// exists reports whether a row with id is in table, for "unknown departmentId" checks.
func exists(tx *gorm.DB, table string, id uuid.UUID) (bool, error) {
	var n int64
	err := tx.Table(table).Where("id = ?", id).Count(&n).Error
	return n > 0, err
}

// lock reads row id of dst's table FOR UPDATE, so concurrent writes to it queue up.
func lock(tx *gorm.DB, dst any, id uuid.UUID, what string) error {
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(dst, "id = ?", id).Error
	return models.NotFoundIf(err, what)
}

// tableWrites is how the rows of a plain catalogue table (suppliers, units, tax rates) are
// added and changed: apply validates the input and copies it onto the row, the row is inserted,
// or locked and saved, a failed write is explained by writeError (a taken name is a 409 on
// that field), and the change goes to the audit log in the same transaction. Departments and
// tax groups check more inside the transaction and write themselves.
type tableWrites[Row, In any] struct {
	noun       string // names the row in a not-found error: "tax rate"
	auditType  string // the audit log's entity type: "tax_rate"
	apply      func(in In, row *Row) error
	writeError func(err error, row Row) error
	idOf       func(Row) uuid.UUID
}

// create inserts the row in describes. A row that fails validation opens no transaction.
func (w tableWrites[Row, In]) create(ctx context.Context, s *Service, actor models.Actor, in In) (Row, error) {
	var row Row
	if err := w.apply(in, &row); err != nil {
		return row, err
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return w.writeError(err, row)
		}
		return models.Audit(ctx, tx, actor, "create", w.auditType, w.idOf(row), nil, row)
	})
	return row, err
}

// update changes row id to what in describes, holding the row's lock until the audit entry
// (before and after) is written.
func (w tableWrites[Row, In]) update(ctx context.Context, s *Service, actor models.Actor, id uuid.UUID, in In) (Row, error) {
	var row Row
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := lock(tx, &row, id, w.noun); err != nil {
			return err
		}
		before := row
		if err := w.apply(in, &row); err != nil {
			return err
		}
		if err := tx.Save(&row).Error; err != nil {
			return w.writeError(err, row)
		}
		return models.Audit(ctx, tx, actor, "update", w.auditType, w.idOf(row), before, row)
	})
	return row, err
}

// conflictOn is a 409 that also names the field, so a form can show it beside the input.
func conflictOn(field, msg string) error {
	return &models.Error{Kind: models.ErrConflict, Message: msg, Fields: map[string][]string{field: {msg}}}
}

// boolOr dereferences b, or returns def when it is nil.
func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

// countWhere counts rows of table matching where.
func countWhere(tx *gorm.DB, table, where string, args ...any) (int64, error) {
	var n int64
	err := tx.Table(table).Where(where, args...).Count(&n).Error
	return n, err
}

// plural returns "1 product" / "3 products".
func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.FormatInt(n, 10) + " " + word + "s"
}

// ActiveFilter reads "true", "false" or "all" (the default when blank) into a filter.
type ActiveFilter string

// Active filter values.
const (
	ActiveAll      ActiveFilter = "all"
	ActiveOnly     ActiveFilter = "true"
	ActiveInactive ActiveFilter = "false"
)

// ParseActive normalises an active filter; unknown values are a 400.
func ParseActive(s string) (ActiveFilter, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "all":
		return ActiveAll, nil
	case "true", "1", "active", "yes":
		return ActiveOnly, nil
	case "false", "0", "inactive", "no":
		return ActiveInactive, nil
	}
	return "", models.BadRequest("active must be true, false or all")
}

// apply narrows q on column.
func (f ActiveFilter) apply(q *gorm.DB, column string) *gorm.DB {
	switch f {
	case ActiveOnly:
		return q.Where(column + " = true")
	case ActiveInactive:
		return q.Where(column + " = false")
	}
	return q
}
