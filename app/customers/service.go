// Package customers holds the people sales are made to (customers) and made by (sales reps):
// their master data, search and the rules about removing them.
package customers

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"gorm.io/gorm"

	"backroom/models"
)

// Service runs the customer and sales-rep rules.
type Service struct{ db *gorm.DB }

// New returns the service.
func New(db *gorm.DB) *Service { return &Service{db: db} }

func (s *Service) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// codeChars are what customer and sales-rep codes may hold.
var codeChars = regexp.MustCompile(`^[A-Z0-9_-]+$`)

// validate runs in's tags and checks its code the same way for customers and sales reps: only
// letters, digits, - and _ (an empty code is left to the tags).
func validate(in any, code string) error {
	e := models.Invalid()
	if err := models.Validate(in); err != nil && !errors.As(err, &e) {
		return err
	}
	if code != "" && !codeChars.MatchString(code) {
		e.Add("code", "may contain only letters, digits, - and _")
	}
	return e.Err()
}

// conflict is a 409 that also names the field, so forms can show it beside the input.
func conflict(field, msg string) error {
	return &models.Error{Kind: models.ErrConflict, Message: msg, Fields: map[string][]string{field: {msg}}}
}

// likeEscape makes s literal inside a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// tableHas reports whether table exists. Sales live in another area whose tables may not be
// migrated yet; reference checks against them are skipped until they are.
func tableHas(tx *gorm.DB, table string) (bool, error) {
	var ok bool
	err := tx.Raw(`SELECT to_regclass(?) IS NOT NULL`, table).Scan(&ok).Error
	return ok, err
}

// ActiveFilter narrows lists by status: "" or "true" active only (the default), "false"
// inactive, "all" both.
type ActiveFilter string

func (f ActiveFilter) apply(q *gorm.DB) (*gorm.DB, error) {
	switch f {
	case "", "true":
		return q.Where("is_active"), nil
	case "false":
		return q.Where("NOT is_active"), nil
	case "all":
		return q, nil
	}
	return nil, models.BadRequest("active must be true, false or all")
}
