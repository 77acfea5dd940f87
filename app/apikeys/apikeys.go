// Package apikeys issues and checks the API keys outside tools use (header X-Api-Key): shown
// once, stored hashed, scoped, revocable.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/server"
	"backroom/models"
)

// Service manages API keys.
type Service struct{ db *gorm.DB }

// New builds the service.
func New(db *gorm.DB) *Service { return &Service{db: db} }

// Input creates a key.
type Input struct {
	Name    string     `json:"name" form:"name" validate:"required,max=120"`
	StoreID *uuid.UUID `json:"storeId"`
	Scopes  []string   `json:"scopes" validate:"required,min=1,dive,oneof=sales.write reports.read catalog.read catalog.write"`
}

// Created is the answer to a create: the only time the key is shown.
type Created struct {
	models.APIKey
	Key string `json:"key"`
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomString(n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, _ := rand.Int(rand.Reader, max)
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// Hash is the stored form of a key.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Create issues a key: "bk_" + an 8-character prefix (shown in lists) + "_" + 32 random
// characters (about 190 bits).
func (s *Service) Create(ctx context.Context, actor models.Actor, in Input) (*Created, error) {
	if err := models.Validate(in); err != nil {
		return nil, err
	}
	prefix := randomString(8)
	key := "bk_" + prefix + "_" + randomString(32)
	row := models.APIKey{Name: strings.TrimSpace(in.Name), StoreID: in.StoreID, Scopes: dedupe(in.Scopes), Prefix: "bk_" + prefix, KeyHash: Hash(key)}
	row.CreatedBy = actor.UserRef()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if in.StoreID != nil {
			var n int64
			if err := tx.Model(&models.Store{}).Where("id = ?", *in.StoreID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return models.FieldError("storeId", "is not a known store")
			}
		}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("create api key: %w", err)
		}
		return models.Audit(ctx, tx, actor, "create", "api_key", row.ID, nil, row)
	})
	if err != nil {
		return nil, err
	}
	return &Created{APIKey: row, Key: key}, nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// List returns keys, active first (never the key itself).
func (s *Service) List(ctx context.Context) ([]models.APIKey, error) {
	var out []models.APIKey
	err := s.db.WithContext(ctx).Order("revoked_at IS NOT NULL, created_at DESC").Find(&out).Error
	return out, err
}

// Revoke stops a key from working at once.
func (s *Service) Revoke(ctx context.Context, actor models.Actor, id uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.APIKey{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", time.Now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			if err := tx.Take(&models.APIKey{}, "id = ?", id).Error; err != nil {
				return models.NotFoundIf(err, "API key")
			}
			return models.Conflict("this API key is already revoked")
		}
		return models.Audit(ctx, tx, actor, "revoke", "api_key", id, nil, nil)
	})
}

// Authenticate finds the active key for a presented key value.
func (s *Service) Authenticate(ctx context.Context, key string) (*models.APIKey, error) {
	if !strings.HasPrefix(key, "bk_") || len(key) > 100 {
		return nil, models.Unauthorized("invalid API key")
	}
	var k models.APIKey
	err := s.db.WithContext(ctx).Where("key_hash = ? AND revoked_at IS NULL", Hash(key)).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.Unauthorized("invalid or revoked API key")
	}
	if err != nil {
		return nil, fmt.Errorf("find API key: %w", err) // 503 when the database is down: the key may be fine
	}
	// Last use is informational; a minute's precision keeps writes off the hot path.
	if k.LastUsedAt == nil || time.Since(*k.LastUsedAt) > time.Minute {
		s.db.WithContext(ctx).Model(&models.APIKey{}).Where("id = ?", k.ID).Update("last_used_at", time.Now())
	}
	return &k, nil
}

const keyCtx = "backroom.apikey"

// Require authenticates X-Api-Key and checks the scope: 401 for a missing, wrong or revoked key,
// 403 for a key without the scope. The key's Actor becomes the request's actor.
func (s *Service) Require(scope string) gin.HandlerFunc {
	return func(c *gin.Context) {
		raw := strings.TrimSpace(c.GetHeader("X-Api-Key"))
		if raw == "" {
			server.Fail(c, models.Unauthorized("missing X-Api-Key header"))
			return
		}
		k, err := s.Authenticate(c.Request.Context(), raw)
		if err != nil {
			server.Fail(c, err)
			return
		}
		if !k.HasScope(scope) {
			server.Fail(c, models.Forbidden("this API key lacks the %s scope", scope))
			return
		}
		c.Set(keyCtx, k)
		server.SetActor(c, k.Actor())
		c.Next()
	}
}

// KeyOf returns the authenticated key of a request behind Require.
func KeyOf(c *gin.Context) *models.APIKey {
	k, _ := c.Get(keyCtx)
	key, _ := k.(*models.APIKey)
	return key
}
