package admin

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/app/auth"
	"backroom/models"
)

// UserView is a user as the API and pages show them. It has no hashes: only whether a PIN and a
// password are set.
type UserView struct {
	ID          uuid.UUID      `json:"id"`
	Username    string         `json:"username"`
	DisplayName string         `json:"displayName"`
	Email       string         `json:"email"`
	IsActive    bool           `json:"isActive"`
	HasPin      bool           `json:"hasPin"`
	HasPassword bool           `json:"hasPassword"`
	LastLoginAt *time.Time     `json:"lastLoginAt"`
	CreatedAt   time.Time      `json:"createdAt"`
	UpdatedAt   time.Time      `json:"updatedAt"`
	Roles       []UserRoleView `json:"roles"`
}

// UserRoleView is one of a user's roles: at a store, or HQ-wide when StoreID is nil.
type UserRoleView struct {
	StoreID   *uuid.UUID `json:"storeId"`
	StoreCode string     `json:"storeCode,omitempty"`
	StoreName string     `json:"storeName,omitempty"`
	RoleID    uuid.UUID  `json:"roleId"`
	RoleName  string     `json:"roleName"`
}

// RoleAssignment gives the user one role at one store (StoreID nil = HQ-wide, every store).
type RoleAssignment struct {
	StoreID *uuid.UUID `json:"storeId"`
	RoleID  uuid.UUID  `json:"roleId" validate:"required"`
}

// UserInput is the body of POST and PUT /users. On update a blank pin or password keeps the
// current one, a missing isActive keeps the status and a missing roles list keeps the roles; a
// roles list (even empty) replaces them all.
type UserInput struct {
	Username    string           `json:"username" validate:"required,max=60"`
	DisplayName string           `json:"displayName" validate:"required,max=120"`
	Email       string           `json:"email" validate:"omitempty,email,max=254"`
	Pin         string           `json:"pin" validate:"omitempty,pin"`
	Password    string           `json:"password" validate:"omitempty,min=8,max=200"`
	IsActive    *bool            `json:"isActive"`
	Roles       []RoleAssignment `json:"roles" validate:"omitempty,max=500,dive"`
}

var usernameRe = regexp.MustCompile(`^[A-Za-z0-9._@-]+$`)

func (in *UserInput) normalize() {
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Email = strings.TrimSpace(in.Email)
}

// check validates the fields; creating needs a PIN or a password, or the user could never sign in.
func (in *UserInput) check(creating bool) error {
	in.normalize()
	verr := models.Invalid()
	if err := models.Validate(in); err != nil {
		if e, ok := err.(*models.Error); ok {
			verr = e
		} else {
			return err
		}
	}
	if in.Username != "" && !usernameRe.MatchString(in.Username) {
		verr.Add("username", "may contain only letters, digits and . _ @ -")
	}
	if creating && in.Pin == "" && in.Password == "" {
		verr.Add("pin", "give a PIN or a password so the user can sign in")
	}
	seen := map[string]int{}
	for i, r := range in.Roles {
		key := "hq"
		if r.StoreID != nil {
			key = r.StoreID.String()
		}
		if j, dup := seen[key]; dup {
			msg := "only one role per store: this store already has a role in roles[" + fmt.Sprint(j) + "]"
			if r.StoreID == nil {
				msg = "only one HQ-wide role is allowed"
			}
			verr.Add(fmt.Sprintf("roles[%d].storeId", i), msg)
		}
		seen[key] = i
	}
	verr.Message = ""
	return verr.Err()
}

// UserFilter narrows the user list.
type UserFilter struct {
	Search string
	Active *bool
}

// ListUsers pages through users matching f. A store-scoped viewer sees only users with a role at
// their stores, and only those roles.
func (s *Service) ListUsers(ctx context.Context, actor models.Actor, f UserFilter, p models.Page) ([]UserView, int64, error) {
	q := s.visibleUsers(s.db.WithContext(ctx).Model(&models.User{}), actor, "users.view")
	if t := strings.TrimSpace(f.Search); t != "" {
		pat := likePattern(t)
		q = q.Where("users.username ILIKE ? OR users.display_name ILIKE ? OR users.email ILIKE ?", pat, pat, pat)
	}
	if f.Active != nil {
		q = q.Where("users.is_active = ?", *f.Active)
	}
	users, total, err := models.Paged[models.User](q, p, "lower(users.username)")
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	views, err := s.userViews(ctx, s.db, actor, "users.view", users)
	return views, total, err
}

// visibleUsers restricts q to users the actor may see for perm.
func (s *Service) visibleUsers(q *gorm.DB, actor models.Actor, perm string) *gorm.DB {
	all, stores := actor.Scope(perm)
	if all {
		return q
	}
	if len(stores) == 0 {
		return q.Where("false")
	}
	return q.Where("EXISTS (SELECT 1 FROM user_store_roles usr WHERE usr.user_id = users.id AND usr.store_id IN ?)", stores)
}

// userViews loads the roles of users and builds their views, hiding roles at stores outside the
// actor's scope for perm.
func (s *Service) userViews(ctx context.Context, db *gorm.DB, actor models.Actor, perm string, users []models.User) ([]UserView, error) {
	out := make([]UserView, 0, len(users))
	if len(users) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	var links []models.UserStoreRole
	if err := db.WithContext(ctx).Preload("Role").Preload("Store").Where("user_id IN ?", ids).Find(&links).Error; err != nil {
		return nil, fmt.Errorf("load user roles: %w", err)
	}
	all, stores := actor.Scope(perm)
	visible := map[uuid.UUID]bool{}
	for _, id := range stores {
		visible[id] = true
	}
	byUser := map[uuid.UUID][]UserRoleView{}
	for _, l := range links {
		if !all && (l.StoreID == nil || !visible[*l.StoreID]) {
			continue
		}
		byUser[l.UserID] = append(byUser[l.UserID], roleView(l))
	}
	for _, u := range users {
		v := viewOf(u)
		v.Roles = sortRoles(byUser[u.ID])
		out = append(out, v)
	}
	return out, nil
}

func viewOf(u models.User) UserView {
	return UserView{
		ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Email: u.Email, IsActive: u.IsActive,
		HasPin: u.HasPIN(), HasPassword: u.HasPassword(), LastLoginAt: u.LastLoginAt,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Roles: []UserRoleView{},
	}
}

func roleView(l models.UserStoreRole) UserRoleView {
	v := UserRoleView{StoreID: l.StoreID, RoleID: l.RoleID}
	if l.Role != nil {
		v.RoleName = l.Role.Name
	}
	if l.Store != nil {
		v.StoreCode, v.StoreName = l.Store.Code, l.Store.Name
	}
	return v
}

// sortRoles puts the HQ-wide role first, then stores by code.
func sortRoles(rs []UserRoleView) []UserRoleView {
	if rs == nil {
		return []UserRoleView{}
	}
	sort.Slice(rs, func(i, j int) bool {
		if (rs[i].StoreID == nil) != (rs[j].StoreID == nil) {
			return rs[i].StoreID == nil
		}
		return rs[i].StoreCode < rs[j].StoreCode
	})
	return rs
}

// GetUser returns one user the actor may see.
func (s *Service) GetUser(ctx context.Context, actor models.Actor, id uuid.UUID) (*UserView, error) {
	return s.getUser(ctx, s.db, actor, "users.view", id)
}

func (s *Service) getUser(ctx context.Context, db *gorm.DB, actor models.Actor, perm string, id uuid.UUID) (*UserView, error) {
	var u models.User
	q := s.visibleUsers(db.WithContext(ctx).Model(&models.User{}), actor, perm)
	if err := q.Where("users.id = ?", id).Take(&u).Error; err != nil {
		return nil, models.NotFoundIf(err, "user")
	}
	views, err := s.userViews(ctx, db, actor, perm, []models.User{u})
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

// Employee is one row of a store's read-only staff list: a user and their role at a store.
type Employee struct {
	UserID      uuid.UUID `json:"userId"`
	Username    string    `json:"username"`
	DisplayName string    `json:"displayName"`
	IsActive    bool      `json:"isActive"`
	StoreID     uuid.UUID `json:"storeId"`
	StoreCode   string    `json:"storeCode"`
	RoleID      uuid.UUID `json:"roleId"`
	RoleName    string    `json:"roleName"`
}

// StoreEmployees lists the people with a role at the caller's stores (any role: a cashier may
// see who works beside them), read-only. An HQ-wide caller sees every store's employees.
func (s *Service) StoreEmployees(ctx context.Context, actor models.Actor, search string, p models.Page) ([]Employee, int64, error) {
	q := s.db.WithContext(ctx).Table("user_store_roles usr").
		Select(`u.id AS user_id, u.username, u.display_name, u.is_active, st.id AS store_id, st.code AS store_code,
			r.id AS role_id, r.name AS role_name`).
		Joins("JOIN users u ON u.id = usr.user_id").
		Joins("JOIN stores st ON st.id = usr.store_id").
		Joins("JOIN roles r ON r.id = usr.role_id")
	if !actor.IsHQ() {
		ids := make([]uuid.UUID, 0, len(actor.Stores))
		for id := range actor.Stores {
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			return []Employee{}, 0, nil
		}
		q = q.Where("usr.store_id IN ?", ids)
	}
	if t := strings.TrimSpace(search); t != "" {
		pat := likePattern(t)
		q = q.Where("u.username ILIKE ? OR u.display_name ILIKE ?", pat, pat)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count employees: %w", err)
	}
	out := []Employee{}
	if err := p.Apply(q.Session(&gorm.Session{})).Order("st.code, lower(u.display_name), u.id").Scan(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list employees: %w", err)
	}
	return out, total, nil
}

// secrets holds the hashes computed before a write (hashing is slow: keep it out of transactions).
type secrets struct {
	pinHash, pinLookup, passwordHash string
}

func (s *Service) hashSecrets(ctx context.Context, in UserInput) (secrets, error) {
	var out secrets
	if in.Pin != "" {
		if err := auth.CheckPIN(in.Pin); err != nil {
			return out, models.FieldError("pin", "must be 4 to 8 digits")
		}
		h, err := s.hasher.Hash(ctx, in.Pin)
		if err != nil {
			return out, err
		}
		out.pinHash, out.pinLookup = h, s.hasher.PINLookup(in.Pin)
	}
	if in.Password != "" {
		if err := auth.CheckPassword(in.Password); err != nil {
			return out, models.FieldError("password", "must be at least 8 characters")
		}
		h, err := s.hasher.Hash(ctx, in.Password)
		if err != nil {
			return out, err
		}
		out.passwordHash = h
	}
	return out, nil
}

// CreateUser creates a user with their roles. Seeds and the test harness create users through it
// too, so every user in the system passed the same rules.
func (s *Service) CreateUser(ctx context.Context, actor models.Actor, in UserInput) (*UserView, error) {
	if err := in.check(true); err != nil {
		return nil, err
	}
	attempt, err := s.reservePIN(ctx, actor, in)
	if err != nil {
		return nil, err
	}
	sec, err := s.hashSecrets(ctx, in)
	if err != nil {
		return nil, err
	}
	var view *UserView
	err = s.tx(ctx, func(tx *gorm.DB) error {
		roles, err := loadAssignments(ctx, tx, in.Roles)
		if err != nil {
			return err
		}
		if err := checkGrants(actor, "users.create", nil, roles); err != nil {
			return err
		}
		if err := uniqueUser(ctx, tx, uuid.Nil, in.Username, sec.pinLookup); err != nil {
			return err
		}
		u := models.User{Username: in.Username, DisplayName: in.DisplayName, Email: in.Email, IsActive: true,
			PinHash: sec.pinHash, PasswordHash: sec.passwordHash}
		if in.IsActive != nil {
			u.IsActive = *in.IsActive
		}
		if sec.pinLookup != "" {
			u.PinLookup = &sec.pinLookup
		}
		if err := tx.Create(&u).Error; err != nil {
			return userWriteError(err)
		}
		if err := replaceRoles(ctx, tx, u.ID, in.Roles); err != nil {
			return err
		}
		if view, err = s.getUser(ctx, tx, models.System, "users.view", u.ID); err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "create", "user", u.ID, nil, auditUser(*view, in))
	})
	if err = s.settled(ctx, actor, uuid.Nil, attempt, err); err != nil {
		return nil, err
	}
	return s.rescope(ctx, actor, "users.create", view)
}

// rescope re-reads a user as the actor may see them (roles outside their stores hidden).
func (s *Service) rescope(ctx context.Context, actor models.Actor, perm string, v *UserView) (*UserView, error) {
	if all, _ := actor.Scope(perm); all {
		return v, nil
	}
	return s.getUser(ctx, s.db, actor, perm, v.ID)
}

// auditUser is what the audit log keeps of a user: the view (no hashes) and which secrets changed.
func auditUser(v UserView, in UserInput) map[string]any {
	return map[string]any{"user": v, "pinChanged": in.Pin != "", "passwordChanged": in.Password != ""}
}

// UpdateUser changes a user the actor may edit. Nobody may deactivate themselves or take away
// their own user- or role-administration rights.
func (s *Service) UpdateUser(ctx context.Context, actor models.Actor, id uuid.UUID, in UserInput) (*UserView, error) {
	if err := in.check(false); err != nil {
		return nil, err
	}
	self := actor.UserID == id
	if self && in.IsActive != nil && !*in.IsActive {
		return nil, models.FieldError("isActive", "you cannot deactivate your own account; ask another administrator")
	}
	attempt, err := s.reservePIN(ctx, actor, in)
	if err != nil {
		return nil, err
	}
	sec, err := s.hashSecrets(ctx, in)
	if err != nil {
		return nil, err
	}
	var view *UserView
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var u models.User
		q := s.visibleUsers(tx.Model(&models.User{}), actor, "users.edit")
		if err := q.Clauses(clause.Locking{Strength: "UPDATE"}).Where("users.id = ?", id).Take(&u).Error; err != nil {
			return models.NotFoundIf(err, "user")
		}
		before, err := s.getUser(ctx, tx, models.System, "users.view", id)
		if err != nil {
			return err
		}
		if err := managesEveryRole(actor, before.Roles); err != nil {
			return err
		}
		if in.Roles != nil {
			roles, err := loadAssignments(ctx, tx, in.Roles)
			if err != nil {
				return err
			}
			if err := checkGrants(actor, "users.edit", before.Roles, roles); err != nil {
				return err
			}
			if self {
				if err := keepsAdminRights(actor, roles); err != nil {
					return err
				}
			}
		}
		if !strings.EqualFold(u.Username, in.Username) || sec.pinLookup != "" {
			name := in.Username
			if strings.EqualFold(u.Username, in.Username) {
				name = ""
			}
			if err := uniqueUser(ctx, tx, id, name, sec.pinLookup); err != nil {
				return err
			}
		}
		updates := map[string]any{"username": in.Username, "display_name": in.DisplayName, "email": in.Email, "updated_at": time.Now().UTC()}
		if in.IsActive != nil {
			updates["is_active"] = *in.IsActive
		}
		if sec.pinHash != "" {
			updates["pin_hash"], updates["pin_lookup"] = sec.pinHash, sec.pinLookup
		}
		if sec.passwordHash != "" {
			updates["password_hash"] = sec.passwordHash
		}
		if err := tx.Model(&models.User{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return userWriteError(err)
		}
		if sec.pinHash != "" || sec.passwordHash != "" {
			if err := auth.RevokeCredentials(ctx, tx, id); err != nil {
				return err
			}
		}
		if in.Roles != nil {
			if err := tx.Where("user_id = ?", id).Delete(&models.UserStoreRole{}).Error; err != nil {
				return fmt.Errorf("clear user roles: %w", err)
			}
			if err := replaceRoles(ctx, tx, id, in.Roles); err != nil {
				return err
			}
		}
		if view, err = s.getUser(ctx, tx, models.System, "users.view", id); err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "update", "user", id, map[string]any{"user": before}, auditUser(*view, in))
	})
	if err = s.settled(ctx, actor, id, attempt, err); err != nil {
		return nil, err
	}
	return s.rescope(ctx, actor, "users.edit", view)
}

// reservePIN counts a PIN being set against the actor's PIN-change limit before anything else is
// done, so nobody can search the PIN space through user administration. Nil when no PIN is set.
func (s *Service) reservePIN(ctx context.Context, actor models.Actor, in UserInput) (*auth.Attempt, error) {
	if in.Pin == "" || actor.UserID == uuid.Nil {
		return nil, nil // seeding and jobs (models.System) set PINs under no one's limit
	}
	return s.throttle.Reserve(ctx, auth.PINChangeKeys(actor.UserID, ""))
}

// settled finishes a write that may have set a PIN: a taken PIN is recorded against the actor
// and answered without saying whose it is; a write that went through takes the attempt back.
func (s *Service) settled(ctx context.Context, actor models.Actor, target uuid.UUID, attempt *auth.Attempt, err error) error {
	if errors.Is(err, errPINTaken) && actor.UserID != uuid.Nil {
		return auth.PINCollision(ctx, s.db, actor, target)
	}
	if err == nil && attempt != nil {
		attempt.Succeeded(ctx)
	}
	return err
}

// managesEveryRole refuses an edit of someone who holds a role where the actor may not edit
// users: a store's user administrator cannot change the PIN, password, name or status of an
// HQ-wide account, or of someone who also works at a store they do not manage.
func managesEveryRole(actor models.Actor, roles []UserRoleView) error {
	for _, r := range roles {
		if canAt(actor, "users.edit", r.StoreID) {
			continue
		}
		if r.StoreID == nil {
			return models.Forbidden("This user has an HQ-wide role; only someone with the users.edit permission HQ-wide may change them")
		}
		return models.Forbidden("This user also has a role at %s, where you may not edit users", r.StoreCode)
	}
	return nil
}

// assignment is a requested role with the role loaded.
type assignment struct {
	StoreID *uuid.UUID
	Role    models.Role
}

// loadAssignments checks that every store and role named exists.
func loadAssignments(ctx context.Context, tx *gorm.DB, in []RoleAssignment) ([]assignment, error) {
	verr := models.Invalid()
	out := make([]assignment, 0, len(in))
	for i, r := range in {
		var role models.Role
		if err := tx.WithContext(ctx).Take(&role, "id = ?", r.RoleID).Error; err != nil {
			if models.NotFoundIf(err, "role") == err {
				return nil, fmt.Errorf("load role: %w", err)
			}
			verr.Add(fmt.Sprintf("roles[%d].roleId", i), "no such role")
			continue
		}
		if r.StoreID != nil {
			var n int64
			if err := tx.WithContext(ctx).Model(&models.Store{}).Where("id = ?", *r.StoreID).Count(&n).Error; err != nil {
				return nil, fmt.Errorf("check store: %w", err)
			}
			if n == 0 {
				verr.Add(fmt.Sprintf("roles[%d].storeId", i), "no such store")
				continue
			}
		}
		out = append(out, assignment{StoreID: r.StoreID, Role: role})
	}
	if err := verr.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func storeKey(id *uuid.UUID) string {
	if id == nil {
		return "hq"
	}
	return id.String()
}

// checkGrants refuses role changes the actor may not make: every store whose role is added,
// changed or removed needs perm there (HQ-wide for the HQ-wide role), and nobody may hand out a
// role with permissions they do not hold at that store themselves.
func checkGrants(actor models.Actor, perm string, current []UserRoleView, wanted []assignment) error {
	now := map[string]uuid.UUID{}
	nowStore := map[string]*uuid.UUID{}
	for _, r := range current {
		now[storeKey(r.StoreID)] = r.RoleID
		nowStore[storeKey(r.StoreID)] = r.StoreID
	}
	where := func(id *uuid.UUID) string {
		if id == nil {
			return "HQ-wide"
		}
		return "at that store"
	}
	for _, w := range wanted {
		k := storeKey(w.StoreID)
		delete(nowStore, k)
		if roleID, ok := now[k]; ok && roleID == w.Role.ID {
			continue
		}
		if !canAt(actor, perm, w.StoreID) {
			return models.Forbidden("You need the %s permission %s to give a role there", perm, where(w.StoreID))
		}
		mine := permsAt(actor, w.StoreID)
		var missing []string
		for _, p := range w.Role.Permissions {
			if !mine[p] {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			return models.Forbidden("You cannot give the role %q: it grants permissions you do not hold %s (%s)", w.Role.Name, where(w.StoreID), strings.Join(missing, ", "))
		}
	}
	for _, store := range nowStore { // roles being removed
		if !canAt(actor, perm, store) {
			return models.Forbidden("You need the %s permission %s to remove a role there", perm, where(store))
		}
	}
	return nil
}

// keepsAdminRights refuses a change of the actor's own roles that would leave them without an
// administration right they hold now.
func keepsAdminRights(actor models.Actor, wanted []assignment) error {
	after := map[string]bool{}
	for _, w := range wanted {
		for _, p := range w.Role.Permissions {
			after[p] = true
		}
	}
	for _, p := range adminPerms {
		if actor.Can(p) && !after[p] {
			return models.FieldError("roles", fmt.Sprintf("you cannot remove your own %s permission; ask another administrator", p))
		}
	}
	return nil
}

// uniqueUser turns a taken username or PIN into a clear 409 before the insert (the unique
// indexes still catch a race). name or pinLookup may be empty to skip that check.
func uniqueUser(ctx context.Context, tx *gorm.DB, self uuid.UUID, name, pinLookup string) error {
	if name != "" {
		var n int64
		if err := tx.WithContext(ctx).Model(&models.User{}).Where("lower(username) = lower(?) AND id <> ?", name, self).Count(&n).Error; err != nil {
			return fmt.Errorf("check username: %w", err)
		}
		if n > 0 {
			return models.Conflict("username %q is already taken", name)
		}
	}
	if pinLookup != "" {
		var n int64
		if err := tx.WithContext(ctx).Model(&models.User{}).Where("pin_lookup = ? AND id <> ?", pinLookup, self).Count(&n).Error; err != nil {
			return fmt.Errorf("check pin: %w", err)
		}
		if n > 0 {
			return errPINTaken
		}
	}
	return nil
}

var errPINTaken = auth.ErrPINUnavailable

func userWriteError(err error) error {
	switch {
	case models.IsUniqueViolation(err, "users_username_key"):
		return models.Conflict("that username is already taken")
	case models.IsUniqueViolation(err, "users_pin_lookup_key"):
		return errPINTaken
	}
	return fmt.Errorf("write user: %w", err)
}

func replaceRoles(ctx context.Context, tx *gorm.DB, userID uuid.UUID, roles []RoleAssignment) error {
	for _, r := range roles {
		link := models.UserStoreRole{UserID: userID, StoreID: r.StoreID, RoleID: r.RoleID}
		if err := tx.WithContext(ctx).Create(&link).Error; err != nil {
			return fmt.Errorf("give role: %w", err)
		}
	}
	return nil
}
