package admin

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// RoleView is a role with how many users hold it.
type RoleView struct {
	models.Role
	UserCount int64 `json:"userCount"`
}

// RoleInput is the body of POST and PUT /roles. On update a missing permissions list keeps the
// current permissions.
type RoleInput struct {
	Name        string   `json:"name" validate:"required,max=80"`
	Description string   `json:"description" validate:"max=2000"`
	Permissions []string `json:"permissions" validate:"omitempty,max=500"`
}

// PermissionsInput is the body of PUT /roles/:id/permissions.
type PermissionsInput struct {
	Permissions []string `json:"permissions" validate:"required,max=500"`
}

// cleanPermissions drops duplicates and blanks and names every unknown code in one 422.
func cleanPermissions(codes []string) ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	var unknown []string
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		if !models.IsPermission(c) {
			unknown = append(unknown, c)
			continue
		}
		out = append(out, c)
	}
	if len(unknown) > 0 {
		return nil, models.FieldError("permissions", "unknown permission: "+strings.Join(unknown, ", "))
	}
	// Catalogue order, so the stored list reads like the checklist.
	order := map[string]int{}
	for i, c := range models.AllPermissionCodes() {
		order[c] = i
	}
	sort.Slice(out, func(i, j int) bool { return order[out[i]] < order[out[j]] })
	return out, nil
}

// ListRoles pages through roles (optionally matching search) with their user counts.
func (s *Service) ListRoles(ctx context.Context, search string, p models.Page) ([]RoleView, int64, error) {
	q := s.db.WithContext(ctx).Model(&models.Role{})
	if t := strings.TrimSpace(search); t != "" {
		pat := likePattern(t)
		q = q.Where("name ILIKE ? OR description ILIKE ?", pat, pat)
	}
	roles, total, err := models.Paged[models.Role](q, p, "lower(name)")
	if err != nil {
		return nil, 0, fmt.Errorf("list roles: %w", err)
	}
	views, err := s.roleViews(ctx, s.db, roles)
	return views, total, err
}

// AllRoles returns every role by name (for the user form's selects).
func (s *Service) AllRoles(ctx context.Context) ([]models.Role, error) {
	var roles []models.Role
	if err := s.db.WithContext(ctx).Order("lower(name)").Find(&roles).Error; err != nil {
		return nil, fmt.Errorf("all roles: %w", err)
	}
	return roles, nil
}

func (s *Service) roleViews(ctx context.Context, db *gorm.DB, roles []models.Role) ([]RoleView, error) {
	out := make([]RoleView, 0, len(roles))
	if len(roles) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(roles))
	for i, r := range roles {
		ids[i] = r.ID
	}
	var counts []struct {
		RoleID uuid.UUID
		N      int64
	}
	if err := db.WithContext(ctx).Model(&models.UserStoreRole{}).Select("role_id, count(DISTINCT user_id) AS n").
		Where("role_id IN ?", ids).Group("role_id").Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("count role holders: %w", err)
	}
	byRole := map[uuid.UUID]int64{}
	for _, c := range counts {
		byRole[c.RoleID] = c.N
	}
	for _, r := range roles {
		if r.Permissions == nil {
			r.Permissions = []string{}
		}
		out = append(out, RoleView{Role: r, UserCount: byRole[r.ID]})
	}
	return out, nil
}

// GetRole returns one role with its user count.
func (s *Service) GetRole(ctx context.Context, id uuid.UUID) (*RoleView, error) {
	return s.getRole(ctx, s.db, id)
}

func (s *Service) getRole(ctx context.Context, db *gorm.DB, id uuid.UUID) (*RoleView, error) {
	var r models.Role
	if err := db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return nil, models.NotFoundIf(err, "role")
	}
	views, err := s.roleViews(ctx, db, []models.Role{r})
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

// requireHQRoles refuses role changes from store-scoped actors: a role applies at every store
// that uses it, so changing it is an HQ decision.
func requireHQRoles(actor models.Actor) error {
	if !actor.HQ["roles.manage"] {
		return models.Forbidden("Roles apply at every store: managing them needs the roles.manage permission in an HQ-wide role")
	}
	return nil
}

// checkGrantable refuses adding permissions the actor does not hold HQ-wide (no one can hand out
// more than they have).
func checkGrantable(actor models.Actor, before, after []string) error {
	had := map[string]bool{}
	for _, p := range before {
		had[p] = true
	}
	var missing []string
	for _, p := range after {
		if !had[p] && !actor.HQ[p] {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return models.Forbidden("You cannot grant permissions you do not hold: %s", strings.Join(missing, ", "))
	}
	return nil
}

// CreateRole creates a role.
func (s *Service) CreateRole(ctx context.Context, actor models.Actor, in RoleInput) (*RoleView, error) {
	if err := requireHQRoles(actor); err != nil {
		return nil, err
	}
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	if err := models.Validate(in); err != nil {
		return nil, err
	}
	perms, err := cleanPermissions(in.Permissions)
	if err != nil {
		return nil, err
	}
	if err := checkGrantable(actor, nil, perms); err != nil {
		return nil, err
	}
	var view *RoleView
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := uniqueRoleName(ctx, tx, uuid.Nil, in.Name); err != nil {
			return err
		}
		r := models.Role{Name: in.Name, Description: in.Description, Permissions: perms}
		if err := tx.Create(&r).Error; err != nil {
			return roleWriteError(err)
		}
		if view, err = s.getRole(ctx, tx, r.ID); err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "create", "role", r.ID, nil, view.Role)
	})
	return view, err
}

// UpdateRole changes a role's name, description and (when given) permissions.
func (s *Service) UpdateRole(ctx context.Context, actor models.Actor, id uuid.UUID, in RoleInput) (*RoleView, error) {
	if err := requireHQRoles(actor); err != nil {
		return nil, err
	}
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	if err := models.Validate(in); err != nil {
		return nil, err
	}
	var perms []string
	if in.Permissions != nil {
		var err error
		if perms, err = cleanPermissions(in.Permissions); err != nil {
			return nil, err
		}
	}
	return s.writeRole(ctx, actor, id, "update", func(tx *gorm.DB, r *models.Role) error {
		if !strings.EqualFold(r.Name, in.Name) {
			if err := uniqueRoleName(ctx, tx, id, in.Name); err != nil {
				return err
			}
		}
		r.Name, r.Description = in.Name, in.Description
		if perms != nil {
			r.Permissions = perms
		}
		return nil
	})
}

// SetPermissions replaces a role's permission set.
func (s *Service) SetPermissions(ctx context.Context, actor models.Actor, id uuid.UUID, in PermissionsInput) (*RoleView, error) {
	if err := requireHQRoles(actor); err != nil {
		return nil, err
	}
	if err := models.Validate(in); err != nil {
		return nil, err
	}
	perms, err := cleanPermissions(in.Permissions)
	if err != nil {
		return nil, err
	}
	return s.writeRole(ctx, actor, id, "set_permissions", func(_ *gorm.DB, r *models.Role) error {
		r.Permissions = perms
		return nil
	})
}

// writeRole locks the role, applies change, checks the grant and self-lockout rules, saves and
// audits, all in one transaction.
func (s *Service) writeRole(ctx context.Context, actor models.Actor, id uuid.UUID, action string, change func(tx *gorm.DB, r *models.Role) error) (*RoleView, error) {
	var view *RoleView
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var r models.Role
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "role")
		}
		before := r
		before.Permissions = append([]string{}, r.Permissions...)
		if err := change(tx, &r); err != nil {
			return err
		}
		if err := checkGrantable(actor, before.Permissions, r.Permissions); err != nil {
			return err
		}
		if err := s.keepsOwnRights(ctx, tx, actor, r); err != nil {
			return err
		}
		err := tx.Model(&models.Role{}).Where("id = ?", id).Updates(map[string]any{
			"name": r.Name, "description": r.Description, "permissions": r.Permissions, "updated_at": time.Now().UTC(),
		}).Error
		if err != nil {
			return roleWriteError(err)
		}
		if view, err = s.getRole(ctx, tx, id); err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, action, "role", id, before, view.Role)
	})
	return view, err
}

// keepsOwnRights refuses a role change that would take an administration right away from the
// actor: their permissions are recomputed with the changed role in place.
func (s *Service) keepsOwnRights(ctx context.Context, tx *gorm.DB, actor models.Actor, changed models.Role) error {
	if actor.UserID == uuid.Nil {
		return nil
	}
	var links []models.UserStoreRole
	if err := tx.WithContext(ctx).Preload("Role").Where("user_id = ?", actor.UserID).Find(&links).Error; err != nil {
		return fmt.Errorf("load own roles: %w", err)
	}
	after := map[string]bool{}
	holds := false
	for _, l := range links {
		perms := []string(nil)
		if l.Role != nil {
			perms = l.Role.Permissions
		}
		if l.RoleID == changed.ID {
			holds, perms = true, changed.Permissions
		}
		for _, p := range perms {
			after[p] = true
		}
	}
	if !holds {
		return nil
	}
	for _, p := range adminPerms {
		if actor.Can(p) && !after[p] {
			return models.FieldError("permissions", fmt.Sprintf("you hold this role: removing %s would take that right away from you; ask another administrator", p))
		}
	}
	return nil
}

// DeleteRole deletes a role nobody holds.
func (s *Service) DeleteRole(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	if err := requireHQRoles(actor); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var r models.Role
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "id = ?", id).Error; err != nil {
			return models.NotFoundIf(err, "role")
		}
		var n int64
		if err := tx.Model(&models.UserStoreRole{}).Where("role_id = ?", id).Distinct("user_id").Count(&n).Error; err != nil {
			return fmt.Errorf("count role holders: %w", err)
		}
		if n > 0 {
			return models.Conflict("role %q is held by %d user(s); give them another role first", r.Name, n)
		}
		if err := tx.Delete(&models.Role{}, "id = ?", id).Error; err != nil {
			if models.IsForeignKeyViolation(err) {
				return models.Conflict("role %q is still in use", r.Name)
			}
			return fmt.Errorf("delete role: %w", err)
		}
		return models.Audit(ctx, tx, actor, "delete", "role", id, r, nil)
	})
}

func uniqueRoleName(ctx context.Context, tx *gorm.DB, self uuid.UUID, name string) error {
	var n int64
	if err := tx.WithContext(ctx).Model(&models.Role{}).Where("lower(name) = lower(?) AND id <> ?", name, self).Count(&n).Error; err != nil {
		return fmt.Errorf("check role name: %w", err)
	}
	if n > 0 {
		return models.Conflict("a role named %q already exists", name)
	}
	return nil
}

func roleWriteError(err error) error {
	if models.IsUniqueViolation(err, "roles_name_key") {
		return models.Conflict("a role with that name already exists")
	}
	return fmt.Errorf("write role: %w", err)
}
