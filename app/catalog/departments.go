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

// DepartmentInput creates or changes a department. ParentID nests it under another.
type DepartmentInput struct {
	Code     *string `json:"code" validate:"omitempty,max=20"`
	Name     string  `json:"name" validate:"required,max=120"`
	ParentID *string `json:"parentId"`
	IsActive *bool   `json:"isActive"`
}

// DepartmentInputOf is the input that would leave d as it is.
func DepartmentInputOf(d models.Department) DepartmentInput {
	in := DepartmentInput{Code: d.Code, Name: d.Name}
	if d.ParentID != nil {
		s := d.ParentID.String()
		in.ParentID = &s
	}
	active := d.IsActive
	in.IsActive = &active
	return in
}

// ListDepartments returns every department in tree order (parents before their children).
func (s *Service) ListDepartments(ctx context.Context, active ActiveFilter) ([]DepartmentRow, error) {
	db := s.db.WithContext(ctx)
	var all []models.Department
	if err := db.Order("lower(name)").Find(&all).Error; err != nil {
		return nil, fmt.Errorf("list departments: %w", err)
	}
	var counts []struct {
		DepartmentID uuid.UUID
		N            int64
	}
	err := models.LiveProducts(db).Select("department_id, count(*) AS n").
		Where("department_id IS NOT NULL").Group("department_id").Scan(&counts).Error
	if err != nil {
		return nil, fmt.Errorf("count department products: %w", err)
	}
	byID := map[uuid.UUID]models.Department{}
	for _, d := range all {
		byID[d.ID] = d
	}
	count := map[uuid.UUID]int64{}
	for _, c := range counts {
		count[c.DepartmentID] = c.N
	}
	rows := make([]DepartmentRow, 0, len(all))
	for _, d := range all {
		names, depth := []string{d.Name}, 0
		seen := map[uuid.UUID]bool{d.ID: true}
		for p := d.ParentID; p != nil && !seen[*p]; {
			parent, ok := byID[*p]
			if !ok {
				break
			}
			seen[*p] = true
			names = append([]string{parent.Name}, names...)
			depth++
			p = parent.ParentID
		}
		row := DepartmentRow{Department: d, Path: strings.Join(names, " › "), Depth: depth, ProductCount: count[d.ID]}
		switch {
		case active == ActiveOnly && !d.IsActive, active == ActiveInactive && d.IsActive:
			continue
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool { return strings.ToLower(rows[i].Path) < strings.ToLower(rows[j].Path) })
	return rows, nil
}

// Department returns one department.
func (s *Service) Department(ctx context.Context, id uuid.UUID) (models.Department, error) {
	var d models.Department
	err := s.db.WithContext(ctx).Take(&d, "id = ?", id).Error
	return d, models.NotFoundIf(err, "department")
}

// departmentTreeLock serialises changes to the department tree, so two concurrent moves cannot
// together build a cycle that each alone would not.
const departmentTreeLock = 7_301_001

func (s *Service) applyDepartment(tx *gorm.DB, in DepartmentInput, d *models.Department) error {
	e, err := validation(in)
	if err != nil {
		return err
	}
	parent := parseOptionalID(e, "parentId", in.ParentID)
	if parent != nil {
		if d.ID != uuid.Nil && *parent == d.ID {
			e.Add("parentId", "cannot be the department itself")
		} else if ok, err := exists(tx, "departments", *parent); err != nil {
			return err
		} else if !ok {
			e.Add("parentId", "is not a known department")
		} else if d.ID != uuid.Nil {
			// A cycle appears when the new parent sits somewhere below this department.
			var n int64
			if err := tx.Raw(`SELECT count(*) FROM (?) sub WHERE id = ?`, models.DepartmentSubtree(tx, d.ID), *parent).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				e.Add("parentId", "cannot be one of the department's own sub-departments")
			}
		}
	}
	if err := e.Err(); err != nil {
		return err
	}
	d.Code, d.Name, d.ParentID = optionalText(in.Code), strings.TrimSpace(in.Name), parent
	d.IsActive = boolOr(in.IsActive, true)
	return nil
}

func departmentWriteError(err error, d models.Department) error {
	switch {
	case models.IsUniqueViolation(err, "departments_code_key"):
		return conflictOn("code", fmt.Sprintf("department code %q is already used", *d.Code))
	case models.IsUniqueViolation(err, "departments_name_key"):
		return conflictOn("name", fmt.Sprintf("there is already a department named %q here", d.Name))
	}
	return fmt.Errorf("save department: %w", err)
}

// CreateDepartment adds a department.
func (s *Service) CreateDepartment(ctx context.Context, actor models.Actor, in DepartmentInput) (models.Department, error) {
	var d models.Department
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", departmentTreeLock).Error; err != nil {
			return err
		}
		if err := s.applyDepartment(tx, in, &d); err != nil {
			return err
		}
		if err := tx.Create(&d).Error; err != nil {
			return departmentWriteError(err, d)
		}
		return models.Audit(ctx, tx, actor, "create", "department", d.ID, nil, d)
	})
	return d, err
}

// UpdateDepartment changes a department (moving it refuses cycles).
func (s *Service) UpdateDepartment(ctx context.Context, actor models.Actor, id uuid.UUID, in DepartmentInput) (models.Department, error) {
	var d models.Department
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", departmentTreeLock).Error; err != nil {
			return err
		}
		if err := lock(tx, &d, id, "department"); err != nil {
			return err
		}
		before := d
		if err := s.applyDepartment(tx, in, &d); err != nil {
			return err
		}
		if err := tx.Save(&d).Error; err != nil {
			return departmentWriteError(err, d)
		}
		return models.Audit(ctx, tx, actor, "update", "department", d.ID, before, d)
	})
	return d, err
}

// DeleteDepartment removes a department that no product and no sub-department uses.
func (s *Service) DeleteDepartment(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", departmentTreeLock).Error; err != nil {
			return err
		}
		var d models.Department
		if err := lock(tx, &d, id, "department"); err != nil {
			return err
		}
		// Deleted products still point at their department (old sales report by it).
		n, err := countWhere(tx, "products", "department_id = ?", id)
		if err != nil {
			return err
		}
		if n > 0 {
			return models.Conflict("department %s is used by %s; move them to another department first", d.Name, plural(n, "product"))
		}
		if n, err = countWhere(tx, "departments", "parent_id = ?", id); err != nil {
			return err
		}
		if n > 0 {
			return models.Conflict("department %s has %s; move or delete them first", d.Name, plural(n, "sub-department"))
		}
		if err := tx.Delete(&d).Error; err != nil {
			if models.IsForeignKeyViolation(err) {
				return models.Conflict("department %s is still in use; deactivate it instead", d.Name)
			}
			return fmt.Errorf("delete department: %w", err)
		}
		return models.Audit(ctx, tx, actor, "delete", "department", d.ID, d, nil)
	})
}
