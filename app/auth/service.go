// Package auth signs people in: PINs and passwords, API access and refresh tokens, web
// sessions and login throttling.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// Service holds sign-in rules. It knows nothing of HTTP.
type Service struct {
	db         *gorm.DB
	tokens     *Tokens
	pinKey     []byte
	refreshTTL time.Duration
	throttle   Throttle
	// dummyHash is verified against when a username is unknown, so response time does not tell
	// whether an account exists.
	dummyHash string
}

// NewService builds the sign-in service.
func NewService(db *gorm.DB, tokens *Tokens, pinKey []byte, refreshTTL time.Duration) (*Service, error) {
	dummy, err := HashSecret("not-a-real-secret")
	if err != nil {
		return nil, err
	}
	return &Service{db: db, tokens: tokens, pinKey: pinKey, refreshTTL: refreshTTL, throttle: DefaultThrottle(db), dummyHash: dummy}, nil
}

// Tokens exposes the access-token issuer (for middleware and tests).
func (s *Service) Tokens() *Tokens { return s.tokens }

// PINLookup returns the keyed lookup hash of a PIN.
func (s *Service) PINLookup(pin string) string { return PINLookup(s.pinKey, pin) }

// PublicUser is the user as the login and me answers show them.
type PublicUser struct {
	ID          uuid.UUID `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"displayName"`
	IsActive    bool      `json:"isActive"`
}

// Session is the answer to a successful API sign-in or refresh.
type Session struct {
	AccessToken  string     `json:"accessToken"`
	RefreshToken string     `json:"refreshToken"`
	ExpiresAt    time.Time  `json:"expiresAt"`
	User         PublicUser `json:"user"`
	Permissions  []string   `json:"permissions"`
}

// LoginInput is the body of POST /auth/login: a username and a PIN or a password.
type LoginInput struct {
	Username string `json:"username" validate:"required,max=60"`
	Pin      string `json:"pin" validate:"required_without=Password,omitempty,max=8"`
	Password string `json:"password" validate:"required_without=Pin,omitempty,max=200"`
}

var errBadCredentials = models.Unauthorized("username or credentials are incorrect")

// Login checks a username with its PIN or password and opens an API session.
func (s *Service) Login(ctx context.Context, in LoginInput, addr string) (*Session, error) {
	u, err := s.Authenticate(ctx, in.Username, in.Pin, in.Password, addr)
	if err != nil {
		return nil, err
	}
	return s.openSession(ctx, u, uuid.Nil)
}

// Authenticate checks credentials under the throttle and returns the user. Either pin or
// password may be given; for the web form the one field may hold either.
func (s *Service) Authenticate(ctx context.Context, username, pin, password, addr string) (models.User, error) {
	username = strings.TrimSpace(username)
	keys := []string{"user:" + strings.ToLower(username), "addr:" + addr}
	if err := s.throttle.Check(ctx, keys...); err != nil {
		return models.User{}, err
	}
	var u models.User
	err := s.db.WithContext(ctx).Where("lower(username) = lower(?)", username).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return models.User{}, fmt.Errorf("login %q: %w", username, err)
	}
	ok := false
	switch {
	case err != nil:
		VerifySecret(s.dummyHash, pin+password) // same work for unknown users
	case pin != "" && u.PinHash != "":
		ok = VerifySecret(u.PinHash, pin)
	case password != "" && u.PasswordHash != "":
		ok = VerifySecret(u.PasswordHash, password)
	default:
		VerifySecret(s.dummyHash, pin+password)
	}
	if !ok || !u.IsActive {
		if ferr := s.throttle.Fail(ctx, keys...); ferr != nil {
			return models.User{}, ferr
		}
		return models.User{}, errBadCredentials
	}
	s.throttle.Reset(ctx, keys[0])
	return u, nil
}

// PinLogin signs in with a PIN alone (POS terminals); PINs are unique, so the PIN names the user.
func (s *Service) PinLogin(ctx context.Context, pin, addr string) (*Session, error) {
	u, err := s.AuthenticatePIN(ctx, pin, addr)
	if err != nil {
		return nil, err
	}
	return s.openSession(ctx, u, uuid.Nil)
}

// AuthenticatePIN finds the user by the PIN's lookup hash and verifies the slow hash.
func (s *Service) AuthenticatePIN(ctx context.Context, pin, addr string) (models.User, error) {
	key := "addr:" + addr
	if err := s.throttle.Check(ctx, key); err != nil {
		return models.User{}, err
	}
	var u models.User
	err := s.db.WithContext(ctx).Where("pin_lookup = ?", s.PINLookup(pin)).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return models.User{}, fmt.Errorf("pin login: %w", err)
	}
	if err != nil || !u.IsActive || !VerifySecret(u.PinHash, pin) {
		if err != nil {
			VerifySecret(s.dummyHash, pin)
		}
		if ferr := s.throttle.Fail(ctx, key); ferr != nil {
			return models.User{}, ferr
		}
		return models.User{}, models.Unauthorized("PIN is incorrect")
	}
	return u, nil
}

func (s *Service) openSession(ctx context.Context, u models.User, family uuid.UUID) (*Session, error) {
	var out *Session
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = s.issue(ctx, tx, u, family)
		if err != nil {
			return err
		}
		return tx.Model(&models.User{}).Where("id = ?", u.ID).Update("last_login_at", time.Now()).Error
	})
	return out, err
}

// issue creates an access token and a refresh token in family (a new family when Nil).
func (s *Service) issue(ctx context.Context, tx *gorm.DB, u models.User, family uuid.UUID) (*Session, error) {
	actor, err := models.LoadActor(ctx, tx, u.ID)
	if err != nil {
		return nil, err
	}
	access, exp, err := s.tokens.Issue(u.ID)
	if err != nil {
		return nil, err
	}
	if family == uuid.Nil {
		family = models.NewID()
	}
	refresh, hash := randomToken()
	row := refreshToken{UserID: u.ID, FamilyID: family, TokenHash: hash, ExpiresAt: time.Now().Add(s.refreshTTL)}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return nil, fmt.Errorf("store refresh token: %w", err)
	}
	return &Session{
		AccessToken: access, RefreshToken: refresh, ExpiresAt: exp,
		User:        PublicUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, IsActive: u.IsActive},
		Permissions: actor.PermissionList(),
	}, nil
}

type refreshToken struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey"`
	UserID    uuid.UUID `gorm:"type:uuid"`
	FamilyID  uuid.UUID `gorm:"type:uuid"`
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

func (refreshToken) TableName() string { return "refresh_tokens" }

// Refresh rotates a refresh token: the presented one is spent and a new pair is issued in its
// family. A token presented twice means it was stolen or replayed: the whole family is revoked
// and both holders must sign in again.
func (s *Service) Refresh(ctx context.Context, token string) (*Session, error) {
	var out *Session
	reused := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rt refreshToken
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("token_hash = ?", hashToken(token)).Take(&rt).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.Unauthorized("refresh token is not valid")
		}
		if err != nil {
			return err
		}
		if rt.UsedAt != nil || rt.RevokedAt != nil {
			reused = true
			return tx.Model(&refreshToken{}).Where("family_id = ? AND revoked_at IS NULL", rt.FamilyID).
				Update("revoked_at", time.Now()).Error
		}
		if time.Now().After(rt.ExpiresAt) {
			return models.Unauthorized("refresh token has expired; sign in again")
		}
		if err := tx.Model(&refreshToken{}).Where("id = ?", rt.ID).Update("used_at", time.Now()).Error; err != nil {
			return err
		}
		var u models.User
		if err := tx.Where("id = ? AND is_active", rt.UserID).Take(&u).Error; err != nil {
			return models.Unauthorized("your account is not active")
		}
		out, err = s.issue(ctx, tx, u, rt.FamilyID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if reused {
		return nil, models.Unauthorized("refresh token was already used; every session it belongs to has been signed out")
	}
	return out, nil
}

// Me is the current user with their permissions and store roles.
type Me struct {
	User        PublicUser `json:"user"`
	Email       string     `json:"email"`
	HasPIN      bool       `json:"hasPin"`
	HasPassword bool       `json:"hasPassword"`
	Permissions []string   `json:"permissions"`
	Roles       []MeRole   `json:"roles"`
}

// MeRole is one role assignment: HQ-wide when StoreID is nil.
type MeRole struct {
	StoreID   *uuid.UUID `json:"storeId"`
	StoreCode string     `json:"storeCode,omitempty"`
	StoreName string     `json:"storeName,omitempty"`
	RoleID    uuid.UUID  `json:"roleId"`
	RoleName  string     `json:"roleName"`
}

// WhoAmI loads the actor's user record and roles.
func (s *Service) WhoAmI(ctx context.Context, actor models.Actor) (*Me, error) {
	var u models.User
	if err := s.db.WithContext(ctx).Preload("Roles.Role").Preload("Roles.Store").Take(&u, "id = ?", actor.UserID).Error; err != nil {
		return nil, models.NotFoundIf(err, "user")
	}
	me := &Me{
		User:  PublicUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, IsActive: u.IsActive},
		Email: u.Email, HasPIN: u.HasPIN(), HasPassword: u.HasPassword(),
		Permissions: actor.PermissionList(), Roles: []MeRole{},
	}
	for _, r := range u.Roles {
		mr := MeRole{StoreID: r.StoreID, RoleID: r.RoleID}
		if r.Role != nil {
			mr.RoleName = r.Role.Name
		}
		if r.Store != nil {
			mr.StoreCode, mr.StoreName = r.Store.Code, r.Store.Name
		}
		me.Roles = append(me.Roles, mr)
	}
	return me, nil
}

// ChangeCredentialInput changes the caller's PIN and/or password; the current PIN or password
// must be given.
type ChangeCredentialInput struct {
	CurrentPin      string `json:"currentPin" validate:"required_without=CurrentPassword,omitempty,max=8"`
	CurrentPassword string `json:"currentPassword" validate:"required_without=CurrentPin,omitempty,max=200"`
	NewPin          string `json:"newPin" validate:"required_without=NewPassword,omitempty,pin"`
	NewPassword     string `json:"newPassword" validate:"required_without=NewPin,omitempty,min=8,max=200"`
}

// ChangeCredential verifies the current credential and stores the new one(s). A PIN already held
// by someone else is a conflict: PINs name users at the till.
func (s *Service) ChangeCredential(ctx context.Context, actor models.Actor, in ChangeCredentialInput) error {
	if err := models.Validate(in); err != nil {
		return err
	}
	var u models.User
	if err := s.db.WithContext(ctx).Take(&u, "id = ?", actor.UserID).Error; err != nil {
		return models.NotFoundIf(err, "user")
	}
	ok := (in.CurrentPin != "" && u.PinHash != "" && VerifySecret(u.PinHash, in.CurrentPin)) ||
		(in.CurrentPassword != "" && u.PasswordHash != "" && VerifySecret(u.PasswordHash, in.CurrentPassword))
	if !ok {
		field := "currentPin"
		if in.CurrentPin == "" {
			field = "currentPassword"
		}
		return models.FieldError(field, "is incorrect")
	}
	updates := map[string]any{"updated_at": time.Now()}
	if in.NewPin != "" {
		h, err := HashSecret(in.NewPin)
		if err != nil {
			return err
		}
		updates["pin_hash"], updates["pin_lookup"] = h, s.PINLookup(in.NewPin)
	}
	if in.NewPassword != "" {
		h, err := HashSecret(in.NewPassword)
		if err != nil {
			return err
		}
		updates["password_hash"] = h
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&models.User{}).Where("id = ?", u.ID).Updates(updates).Error
		if models.IsUniqueViolation(err, "users_pin_lookup_key") {
			return models.Conflict("that PIN is already in use; choose another")
		}
		if err != nil {
			return fmt.Errorf("change credential: %w", err)
		}
		return models.Audit(ctx, tx, actor, "change_credential", "user", u.ID, nil, map[string]bool{"pin": in.NewPin != "", "password": in.NewPassword != ""})
	})
}
