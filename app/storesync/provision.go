// Package storesync is head office's side of HQ↔store sync (seed 002 "Sync", reference §2):
// provisioning a store server with a one-time token, the store credential it then sends as
// X-Sync-Token, and the versioned pull of master data in parent-first order. A store server
// (MODE=store, the next step) is its client.
package storesync

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/models"
)

// PermManage is the permission behind every admin-facing sync route.
const PermManage = "sync.manage"

// A store's sync status; "offline" is derived: active with no contact for OfflineAfter.
const (
	StatusPending = "pending_provisioning"
	StatusActive  = "active"
	StatusRevoked = "revoked"
	StatusOffline = "offline"
)

// OfflineAfter is how long an active store may go without a pull, push or open socket before it
// shows as offline.
const OfflineAfter = 15 * time.Minute

// tokenPrefix marks Backroom sync tokens (version 1 of their format).
const tokenPrefix = "brs1."

// Service provisions and authenticates store servers and answers their pulls.
type Service struct {
	db        *gorm.DB
	publicURL string // HQ's address, carried in every token
	books     Books
	hub       *hub // the store servers' sockets on this instance
}

// New builds the service over db (pool is the same database, for LISTEN); publicURL is
// PUBLIC_URL, the address store servers reach HQ at, and books are the areas pushed items are
// recorded through.
func New(db *gorm.DB, pool *pgxpool.Pool, publicURL string, books Books) *Service {
	return &Service{db: db, publicURL: strings.TrimRight(publicURL, "/"), books: books, hub: newHub(pool)}
}

// Issued is a new one-time token, shown once.
type Issued struct {
	Token     string    `json:"token"`
	StoreID   uuid.UUID `json:"storeId"`
	StoreCode string    `json:"storeCode"`
	HQURL     string    `json:"hqUrl"`
	CreatedAt time.Time `json:"createdAt"`
	// Env is what to put in the store server's environment.
	Env []string `json:"env"`
}

// tokenBody is what a token carries: the store, HQ's address and the secret.
type tokenBody struct {
	Store  uuid.UUID `json:"store"`
	HQ     string    `json:"hq"`
	Secret string    `json:"secret"`
}

// ParseToken reads a token's store and HQ address (the store server does this on first start).
func ParseToken(token string) (storeID uuid.UUID, hqURL string, err error) {
	raw, ok := strings.CutPrefix(strings.TrimSpace(token), tokenPrefix)
	if !ok {
		return uuid.Nil, "", errors.New("not a Backroom sync token (it starts with " + tokenPrefix + ")")
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return uuid.Nil, "", errors.New("the sync token is damaged: copy it again")
	}
	var body tokenBody
	if err := json.Unmarshal(b, &body); err != nil || body.Store == uuid.Nil || body.Secret == "" {
		return uuid.Nil, "", errors.New("the sync token is damaged: copy it again")
	}
	return body.Store, body.HQ, nil
}

func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// IssueToken makes a one-time sync token for a store, revoking any earlier unused one. A store
// whose sync was revoked goes back to waiting for provisioning; an active store keeps working
// with its credential until the new token is used.
func (s *Service) IssueToken(ctx context.Context, actor models.Actor, storeID uuid.UUID) (*Issued, error) {
	if !actor.CanAt(PermManage, storeID) {
		return nil, models.Forbidden("you may not manage sync for this store")
	}
	var out *Issued
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var st models.Store
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&st, "id = ?", storeID).Error; err != nil {
			return models.NotFoundIf(err, "store")
		}
		if st.IsHQ {
			return models.Conflict("%s is head office: it is not a store server", st.Code)
		}
		now := time.Now()
		if err := tx.Exec("UPDATE sync_tokens SET revoked_at = ? WHERE store_id = ? AND used_at IS NULL AND revoked_at IS NULL", now, storeID).Error; err != nil {
			return err
		}
		body, _ := json.Marshal(tokenBody{Store: storeID, HQ: s.publicURL, Secret: randomSecret()})
		token := tokenPrefix + base64.RawURLEncoding.EncodeToString(body)
		id := uuid.New()
		if err := tx.Exec("INSERT INTO sync_tokens (id, store_id, token_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
			id, storeID, hash(token), actor.UserRef(), now).Error; err != nil {
			return err
		}
		if err := tx.Exec("UPDATE store_sync SET status = ?, updated_at = ? WHERE store_id = ? AND status = ?", StatusPending, now, storeID, StatusRevoked).Error; err != nil {
			return err
		}
		out = &Issued{Token: token, StoreID: storeID, StoreCode: st.Code, HQURL: s.publicURL, CreatedAt: now,
			Env: []string{"MODE=store", "HQ_URL=" + s.publicURL, "SYNC_TOKEN=" + token}}
		return models.Audit(ctx, tx, actor, "sync_token_issued", "store", storeID, nil, map[string]any{"tokenId": id})
	})
	return out, err
}

// Revoke ends a store's sync: its unused token and its credential stop working at once.
func (s *Service) Revoke(ctx context.Context, actor models.Actor, storeID uuid.UUID) error {
	if !actor.CanAt(PermManage, storeID) {
		return models.Forbidden("you may not manage sync for this store")
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var status string
		if err := tx.Raw("SELECT status FROM store_sync WHERE store_id = ? FOR UPDATE", storeID).Scan(&status).Error; err != nil {
			return err
		}
		if status == "" {
			return models.NotFound("store")
		}
		now := time.Now()
		for _, q := range []string{
			"UPDATE sync_tokens SET revoked_at = ? WHERE store_id = ? AND used_at IS NULL AND revoked_at IS NULL",
			"UPDATE sync_credentials SET revoked_at = ? WHERE store_id = ? AND revoked_at IS NULL",
		} {
			if err := tx.Exec(q, now, storeID).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec("UPDATE store_sync SET status = ?, updated_at = ? WHERE store_id = ?", StatusRevoked, now, storeID).Error; err != nil {
			return err
		}
		return models.Audit(ctx, tx, actor, "sync_revoked", "store", storeID, map[string]any{"status": status}, map[string]any{"status": StatusRevoked})
	})
}

// ProvisionInput is the body of POST /api/v1/sync/provision.
type ProvisionInput struct {
	Token string `json:"token" validate:"required,max=400"`
}

// Provisioned is the answer to a provisioning: the store credential, shown this once.
type Provisioned struct {
	StoreID    uuid.UUID `json:"storeId"`
	StoreCode  string    `json:"storeCode"`
	StoreName  string    `json:"storeName"`
	Credential string    `json:"credential"`
	HQURL      string    `json:"hqUrl"`
}

// errBadToken is every refusal of a token: unknown, used and revoked look alike.
func errBadToken() error { return models.Unauthorized("unknown, used or revoked sync token") }

// Provision exchanges a one-time token, once, for the store's long-lived credential; the
// store's earlier credential (a replaced server) stops working and the store turns active.
func (s *Service) Provision(ctx context.Context, in ProvisionInput) (*Provisioned, error) {
	if err := models.Validate(in); err != nil {
		return nil, err
	}
	if _, _, err := ParseToken(in.Token); err != nil {
		return nil, errBadToken()
	}
	var out *Provisioned
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var claimed struct {
			ID      uuid.UUID
			StoreID uuid.UUID
		}
		now := time.Now()
		if err := tx.Raw(`UPDATE sync_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL
			RETURNING id, store_id`, now, hash(strings.TrimSpace(in.Token))).Scan(&claimed).Error; err != nil {
			return err
		}
		if claimed.ID == uuid.Nil {
			return errBadToken()
		}
		var st models.Store
		if err := tx.Take(&st, "id = ?", claimed.StoreID).Error; err != nil {
			return err
		}
		if err := tx.Exec("UPDATE sync_credentials SET revoked_at = ? WHERE store_id = ? AND revoked_at IS NULL", now, st.ID).Error; err != nil {
			return err
		}
		credential := "brc_" + randomSecret()
		if err := tx.Exec("INSERT INTO sync_credentials (id, store_id, credential_hash, token_id, created_at) VALUES (?, ?, ?, ?, ?)",
			uuid.New(), st.ID, hash(credential), claimed.ID, now).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE store_sync SET status = ?, provisioned_at = ?, last_contact_at = ?, updated_at = ? WHERE store_id = ?`,
			StatusActive, now, now, now, st.ID).Error; err != nil {
			return err
		}
		out = &Provisioned{StoreID: st.ID, StoreCode: st.Code, StoreName: st.Name, Credential: credential, HQURL: s.publicURL}
		return models.Audit(ctx, tx, models.System, "sync_provisioned", "store", st.ID, nil, map[string]any{"tokenId": claimed.ID})
	})
	return out, err
}

// Authenticate finds the active store of a credential (X-Sync-Token) and records the contact.
func (s *Service) Authenticate(ctx context.Context, credential string) (*models.Store, error) {
	credential = strings.TrimSpace(credential)
	if credential == "" {
		return nil, models.Unauthorized("missing X-Sync-Token header")
	}
	var st models.Store
	err := s.db.WithContext(ctx).Raw(`SELECT s.* FROM sync_credentials c
		JOIN stores s ON s.id = c.store_id JOIN store_sync ss ON ss.store_id = c.store_id
		WHERE c.credential_hash = ? AND c.revoked_at IS NULL AND ss.status = ?`, hash(credential), StatusActive).Scan(&st).Error
	if err != nil {
		return nil, err
	}
	if st.ID == uuid.Nil {
		return nil, models.Unauthorized("unknown or revoked store credential")
	}
	if err := s.contact(ctx, st.ID); err != nil {
		return nil, err
	}
	return &st, nil
}

// contact records that a store was heard from: one write per half-minute at most, since
// contact is for "offline", not an access log.
func (s *Service) contact(ctx context.Context, storeID uuid.UUID) error {
	return s.db.WithContext(ctx).Exec(`UPDATE store_sync SET last_contact_at = now() WHERE store_id = ?
		AND (last_contact_at IS NULL OR last_contact_at < now() - interval '30 seconds')`, storeID).Error
}
