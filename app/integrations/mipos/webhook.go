package mipos

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/integrations"
	"backroom/app/inventory"
	"backroom/app/money"
	"backroom/models"
)

// maxWebhookBody bounds an inbound webhook (a stock movement is a few hundred bytes).
const maxWebhookBody = 1 << 20

// Sign is the hub's signature of a webhook body: hex HMAC-SHA256 keyed with the client secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// validSignature compares in constant time; a signature that is not hex never matches.
func validSignature(secret string, body []byte, signature string) bool {
	got, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil || secret == "" {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(m.Sum(nil), got)
}

// hubAnswer is the hub's error shape: the hub shows message to its user.
func hubAnswer(c *gin.Context, status int, format string, args ...any) {
	c.AbortWithStatusJSON(status, gin.H{"message": fmt.Sprintf(format, args...)})
}

// inboundMovement is the type-3 webhook body; fields are raw so each can be checked for its
// type and named in the 422 message.
type inboundMovement struct {
	ExternalID   json.RawMessage `json:"external_id"`
	Quantity     json.RawMessage `json:"quantity"`
	MovementType json.RawMessage `json:"movement_type"`
}

// inbound books a stock movement the hub sends (webhook type 3) as an external movement at the
// integration's store and answers 204 with no body. The same delivery (same bytes, which carry
// the hub's "now") applies once.
func (c *Connector) inbound(g *gin.Context) {
	ctx := g.Request.Context()
	id, err := uuid.Parse(g.Param("integrationId"))
	if err != nil {
		hubAnswer(g, http.StatusNotFound, "Unknown integration.")
		return
	}
	in, conn, err := c.integ.Instance(ctx, c.db, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && conn.Kind() != models.KindMiPOS) {
		hubAnswer(g, http.StatusNotFound, "Unknown integration.")
		return
	}
	if err != nil {
		slog.ErrorContext(ctx, "miPOS webhook: load integration", "integration", id, "err", err)
		hubAnswer(g, http.StatusInternalServerError, "Backroom could not load the integration; try again later.")
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(g.Writer, g.Request.Body, maxWebhookBody))
	if err != nil {
		hubAnswer(g, http.StatusRequestEntityTooLarge, "The body is larger than 1 MiB.")
		return
	}
	sig := g.GetHeader("X-Signature-Request")
	if sig == "" {
		hubAnswer(g, http.StatusUnauthorized, "The X-Signature-Request header is missing.")
		return
	}
	if !validSignature(in.Secrets["clientSecret"], raw, sig) {
		hubAnswer(g, http.StatusUnauthorized, "The signature does not match the body.")
		return
	}
	if !in.Enabled {
		hubAnswer(g, http.StatusConflict, "This integration is disabled in Backroom.")
		return
	}
	if in.Store == nil {
		hubAnswer(g, http.StatusConflict, "This integration has no store in Backroom.")
		return
	}
	sku, delta, msg := parseMovement(raw)
	if msg != "" {
		hubAnswer(g, http.StatusUnprocessableEntity, "%s", msg)
		return
	}
	var product models.Product
	err = c.db.WithContext(ctx).Where("lower(sku) = lower(?) AND deleted_at IS NULL", sku).Take(&product).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		hubAnswer(g, http.StatusNotFound, "External id (%s) not found in Backroom.", sku)
		return
	}
	if err == nil {
		err = c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			ref := in.ID
			_, err := c.ledger.Apply(ctx, tx, models.System, inventory.Change{StoreID: in.Store.ID, ProductID: product.ID, Delta: delta,
				Type: models.MoveExternal, Reason: "miPOS stock update", ReferenceType: "mipos", ReferenceID: &ref,
				IdempotencyKey: inboundKey(in.ID, raw)})
			return err
		})
	}
	if errors.Is(err, models.ErrConflict) {
		err = nil // the same delivery raced itself in: it is applied once either way
	}
	if err != nil {
		slog.ErrorContext(ctx, "miPOS webhook: apply movement", "integration", id, "err", err)
		hubAnswer(g, http.StatusInternalServerError, "Backroom could not book the movement; try again later.")
		return
	}
	g.Status(http.StatusNoContent)
}

// inboundKey identifies one delivery: its integration and the hash of its exact bytes.
func inboundKey(integrationID uuid.UUID, raw []byte) string {
	sum := sha256.Sum256(raw)
	return inboundKeyPrefix(integrationID) + hex.EncodeToString(sum[:])
}

// parseMovement reads the SKU and signed delta (thousandths) from a webhook body, or says what is
// wrong with it.
func parseMovement(raw []byte) (sku string, delta int64, problem string) {
	var b inboundMovement
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&b); err != nil {
		return "", 0, "The body is not a JSON object."
	}
	var problems []string
	if err := json.Unmarshal(b.ExternalID, &sku); err != nil || strings.TrimSpace(sku) == "" {
		problems = append(problems, "The external id field is required and must be a string.")
	}
	q, ok := numberText(b.Quantity)
	qty, err := money.ParseQty(q)
	switch {
	case !ok:
		problems = append(problems, "The quantity field is required and must be a number as a string.")
	case err != nil:
		problems = append(problems, "The quantity must be a decimal number with at most three decimals.")
	case qty <= 0:
		problems = append(problems, "The quantity must be greater than zero.")
	}
	t, ok := numberText(b.MovementType)
	switch {
	case !ok:
		problems = append(problems, "The movement type field is required.")
	case t != strconv.Itoa(movementAdd) && t != strconv.Itoa(movementRemove):
		problems = append(problems, "The selected movement type is invalid.")
	}
	if len(problems) > 0 {
		return "", 0, strings.Join(problems, " ")
	}
	if t == strconv.Itoa(movementRemove) {
		qty = -qty
	}
	return strings.TrimSpace(sku), qty, ""
}

// numberText accepts a JSON string or number (the hub documents quantities as strings and the
// movement type as an integer, but is not strict about either) and returns its text.
func numberText(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), s != ""
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// Saved registers the webhook when the integration is saved enabled (the hub's manage call
// creates or updates, so saving again is harmless), and resumes any stock updates that waited
// while it was disabled.
func (c *Connector) Saved(ctx context.Context, in *integrations.Instance) error {
	if !in.Enabled {
		return nil
	}
	if err := c.resumePending(ctx, in.ID); err != nil {
		return err
	}
	return c.registerWebhook(ctx, in)
}

// registerWebhook asks the hub to send type-3 webhooks (stock movements) to us and records the
// outcome for the integration's page.
func (c *Connector) registerWebhook(ctx context.Context, in *integrations.Instance) error {
	url := webhookURL(in)
	a, err := accountOf(in)
	if err == nil {
		err = c.client.post(ctx, a, "/api/v1/inventory/pos/webhook/manage", map[string]any{"type": 3, "url": url}, 15*time.Second)
	}
	var registered any
	lastErr := ""
	if err == nil {
		registered = time.Now().UTC()
	} else {
		lastErr = truncate(err.Error(), 2000)
	}
	if dbErr := c.db.WithContext(context.WithoutCancel(ctx)).Exec(`
		INSERT INTO mipos_webhooks (integration_id, url, registered_at, last_error, attempted_at) VALUES (?, ?, ?, ?, now())
		ON CONFLICT (integration_id) DO UPDATE SET url = EXCLUDED.url, last_error = EXCLUDED.last_error, attempted_at = now(),
			registered_at = CASE WHEN EXCLUDED.last_error = '' THEN EXCLUDED.registered_at ELSE mipos_webhooks.registered_at END`,
		in.ID, url, registered, lastErr).Error; dbErr != nil {
		return errors.Join(err, dbErr)
	}
	return err
}
