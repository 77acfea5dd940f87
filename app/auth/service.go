// Package auth signs people in: PINs and passwords, API access and refresh tokens, web
// sessions and login throttling.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
	hasher     *Hasher
	throttle   *Throttle
	deviceKey  []byte
	refreshTTL time.Duration
}

// NewService builds the sign-in service. deviceKey signs the device tokens that let a known
// device past a username's backoff.
func NewService(db *gorm.DB, tokens *Tokens, hasher *Hasher, throttle *Throttle, deviceKey []byte, refreshTTL time.Duration) *Service {
	return &Service{db: db, tokens: tokens, hasher: hasher, throttle: throttle, deviceKey: deviceKey, refreshTTL: refreshTTL}
}

// Tokens exposes the access-token issuer (for middleware and tests).
func (s *Service) Tokens() *Tokens { return s.tokens }

// PINLookup returns the keyed lookup hash of a PIN.
func (s *Service) PINLookup(pin string) string { return s.hasher.PINLookup(pin) }

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
	// DeviceToken, sent back with later sign-ins by username, lets this device sign in while the
	// username is being slowed down by someone else's wrong guesses.
	DeviceToken string `json:"deviceToken,omitempty"`
}

// LoginInput is the body of POST /auth/login: a username and a PIN or a password.
type LoginInput struct {
	Username    string `json:"username" validate:"required,max=60"`
	Pin         string `json:"pin" validate:"required_without=Password,omitempty,max=8"`
	Password    string `json:"password" validate:"required_without=Pin,omitempty,max=200"`
	DeviceToken string `json:"deviceToken" validate:"omitempty,max=200"`
}

var errBadCredentials = models.Unauthorized("username or credentials are incorrect")

// Login checks a username with its PIN or password and opens an API session.
func (s *Service) Login(ctx context.Context, in LoginInput, addr string) (*Session, error) {
	u, err := s.Authenticate(ctx, SignIn{Username: in.Username, Pin: in.Pin, Password: in.Password, Device: in.DeviceToken, Addr: addr})
	if err != nil {
		return nil, err
	}
	sess, err := s.openSession(ctx, u, uuid.Nil)
	if err != nil {
		return nil, err
	}
	sess.DeviceToken = s.DeviceToken(u.Username)
	return sess, nil
}

// SignIn is one attempt to sign in by username.
type SignIn struct {
	Username string
	Pin      string // a PIN, or
	Password string // a password, or
	Secret   string // the web form's one field: a PIN-shaped value is tried as the PIN, then as the password
	Device   string // a device token from an earlier sign-in as this user, if any
	Addr     string
}

// Authenticate checks credentials under the throttle and returns the user. The attempt is counted
// once however many hashes it tries.
func (s *Service) Authenticate(ctx context.Context, in SignIn) (models.User, error) {
	username := strings.ToLower(strings.TrimSpace(in.Username))
	uk := userKey(username)
	var skip []string
	if s.knownDevice(in.Device, username) {
		skip = append(skip, uk.Name)
	}
	attempt, err := s.throttle.Reserve(ctx, []Key{uk, addrKey(in.Addr)}, skip...)
	if err != nil {
		return models.User{}, err
	}
	var u models.User
	err = s.db.WithContext(ctx).Where("lower(username) = ?", username).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return models.User{}, fmt.Errorf("login %q: %w", username, err)
	}
	ok, err := s.checkSecrets(ctx, u, in)
	if err != nil {
		return models.User{}, err
	}
	if !ok || !u.IsActive {
		return models.User{}, errBadCredentials
	}
	attempt.Succeeded(ctx)
	return u, nil
}

// checkSecrets verifies whichever secrets the attempt carries against u (a zero user when the
// username is unknown: the same work is done against nothing).
func (s *Service) checkSecrets(ctx context.Context, u models.User, in SignIn) (bool, error) {
	pin, password := in.Pin, in.Password
	if in.Secret != "" {
		password = in.Secret
		if CheckPIN(in.Secret) == nil {
			pin = in.Secret
		}
	}
	if pin != "" {
		ok, err := s.hasher.Verify(ctx, u.PinHash, pin)
		if err != nil || ok {
			return ok, err
		}
	}
	if password != "" && (pin == "" || u.PasswordHash != "") {
		return s.hasher.Verify(ctx, u.PasswordHash, password)
	}
	return false, nil
}

// PinLogin signs in with a PIN alone (POS terminals); PINs are unique, so the PIN names the user.
func (s *Service) PinLogin(ctx context.Context, pin, addr string) (*Session, error) {
	u, err := s.AuthenticatePIN(ctx, pin, addr)
	if err != nil {
		return nil, err
	}
	return s.openSession(ctx, u, uuid.Nil)
}

var errBadPIN = models.Unauthorized("PIN is incorrect, or this account signs in with its username")

// AuthenticatePIN finds the user by the PIN's lookup hash and verifies the slow hash. PIN-only
// sign-in is for people who work at stores: an account with an HQ-wide role signs in with its
// username too, so a PIN learned at the till cannot open head office. The answer is the same as
// for a wrong PIN, so it tells nobody whose PIN it was.
func (s *Service) AuthenticatePIN(ctx context.Context, pin, addr string) (models.User, error) {
	attempt, err := s.throttle.Reserve(ctx, []Key{addrKey(addr)})
	if err != nil {
		return models.User{}, err
	}
	var u models.User
	err = s.db.WithContext(ctx).Where("pin_lookup = ?", s.PINLookup(pin)).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return models.User{}, fmt.Errorf("pin login: %w", err)
	}
	ok, err := s.hasher.Verify(ctx, u.PinHash, pin)
	if err != nil {
		return models.User{}, err
	}
	if !ok || !u.IsActive {
		return models.User{}, errBadPIN
	}
	var hqRoles int64
	if err := s.db.WithContext(ctx).Model(&models.UserStoreRole{}).Where("user_id = ? AND store_id IS NULL", u.ID).Count(&hqRoles).Error; err != nil {
		return models.User{}, fmt.Errorf("pin login roles: %w", err)
	}
	if hqRoles > 0 {
		return models.User{}, errBadPIN
	}
	attempt.Succeeded(ctx)
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
	if family == uuid.Nil {
		family = models.NewID()
	}
	access, exp, err := s.tokens.Issue(Claims{UserID: u.ID, Family: family, Epoch: u.CredentialEpoch})
	if err != nil {
		return nil, err
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

// ErrPINUnavailable answers a PIN someone else holds. It says no more than that the PIN cannot be
// used, and every path that sets a PIN counts it against the setter's PIN-change limit.
var ErrPINUnavailable = models.Conflict("that PIN cannot be used; choose a different one")

// ChangeCredential verifies the current credential and stores the new one(s). Every other
// session of the user is signed out; the caller gets a fresh session in place of theirs. Every
// change counts against the caller's limit (per user and address), successful or not: a change
// that goes through tells the caller a PIN was free as surely as a refusal tells them it was
// taken, so a search of the PIN space gets five tries per quarter hour, not ten thousand.
func (s *Service) ChangeCredential(ctx context.Context, actor models.Actor, in ChangeCredentialInput, addr string) (*Session, error) {
	if err := models.Validate(in); err != nil {
		return nil, err
	}
	if _, err := s.throttle.Reserve(ctx, PINChangeKeys(actor.UserID, addr)); err != nil {
		return nil, err
	}
	var u models.User
	if err := s.db.WithContext(ctx).Take(&u, "id = ?", actor.UserID).Error; err != nil {
		return nil, models.NotFoundIf(err, "user")
	}
	ok, err := s.checkSecrets(ctx, u, SignIn{Pin: in.CurrentPin, Password: in.CurrentPassword})
	if err != nil {
		return nil, err
	}
	if !ok {
		field := "currentPin"
		if in.CurrentPin == "" {
			field = "currentPassword"
		}
		return nil, models.FieldError(field, "is incorrect")
	}
	updates := map[string]any{"updated_at": time.Now()}
	if in.NewPin != "" {
		h, err := s.hasher.Hash(ctx, in.NewPin)
		if err != nil {
			return nil, err
		}
		updates["pin_hash"], updates["pin_lookup"] = h, s.PINLookup(in.NewPin)
	}
	if in.NewPassword != "" {
		h, err := s.hasher.Hash(ctx, in.NewPassword)
		if err != nil {
			return nil, err
		}
		updates["password_hash"] = h
	}
	var out *Session
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&models.User{}).Where("id = ?", u.ID).Updates(updates).Error
		if models.IsUniqueViolation(err, "users_pin_lookup_key") {
			return ErrPINUnavailable
		}
		if err != nil {
			return fmt.Errorf("change credential: %w", err)
		}
		if err := RevokeCredentials(ctx, tx, u.ID); err != nil {
			return err
		}
		if err := tx.Take(&u, "id = ?", u.ID).Error; err != nil {
			return fmt.Errorf("reload user: %w", err)
		}
		if out, err = s.issue(ctx, tx, u, uuid.Nil); err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "change_credential", "user", u.ID, nil, map[string]bool{"pin": in.NewPin != "", "password": in.NewPassword != ""})
	})
	if errors.Is(err, ErrPINUnavailable) {
		return nil, PINCollision(ctx, s.db, actor, u.ID)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PINCollision records that actor tried to give target a PIN someone else holds (the dashboard
// warns when it repeats) and returns the answer for the caller.
func PINCollision(ctx context.Context, db *gorm.DB, actor models.Actor, target uuid.UUID) error {
	if err := models.Audit(ctx, db, actor, "pin_collision", "user", target, nil, nil); err != nil {
		return err
	}
	return ErrPINUnavailable
}

// RevokeCredentials signs a user out everywhere after a PIN or password change: the credential
// epoch moves (access tokens and web sessions issued before stop working) and every refresh
// token is revoked. Call it in the transaction that changes the credential.
func RevokeCredentials(ctx context.Context, tx *gorm.DB, userID uuid.UUID) error {
	if err := tx.WithContext(ctx).Exec(`UPDATE users SET credential_epoch = credential_epoch + 1 WHERE id = ?`, userID).Error; err != nil {
		return fmt.Errorf("move credential epoch: %w", err)
	}
	err := tx.WithContext(ctx).Model(&refreshToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", time.Now()).Error
	if err != nil {
		return fmt.Errorf("revoke refresh tokens: %w", err)
	}
	return nil
}

// Logout ends the sign-in a token belongs to: its refresh tokens are revoked, and with them every
// access token of the family.
func (s *Service) Logout(ctx context.Context, family uuid.UUID) error {
	err := s.db.WithContext(ctx).Model(&refreshToken{}).Where("family_id = ? AND revoked_at IS NULL", family).Update("revoked_at", time.Now()).Error
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// familyRevoked reports whether a sign-in was ended (logout, refresh-token reuse, credential
// change).
func (s *Service) familyRevoked(ctx context.Context, family uuid.UUID) (bool, error) {
	var revoked bool
	err := s.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = ? AND revoked_at IS NOT NULL)`, family).Scan(&revoked).Error
	if err != nil {
		return false, fmt.Errorf("check sign-in: %w", err)
	}
	return revoked, nil
}

// DeviceToken is handed to a device after it signs in as username: "nonce.mac".
func (s *Service) DeviceToken(username string) string {
	nonce, _ := randomToken()
	return nonce + "." + s.deviceMAC(strings.ToLower(username), nonce)
}

func (s *Service) deviceMAC(username, nonce string) string {
	m := hmac.New(sha256.New, s.deviceKey)
	m.Write([]byte(username + "\x00" + nonce))
	return hex.EncodeToString(m.Sum(nil))
}

// knownDevice reports whether token was handed to a device that signed in as username.
func (s *Service) knownDevice(token, username string) bool {
	nonce, mac, ok := strings.Cut(token, ".")
	if !ok || nonce == "" {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(s.deviceMAC(username, nonce)))
}
