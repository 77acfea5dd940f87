package inventory

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"backroom/models"
)

// ApplyMany is Apply for thousands of changes at once (a catalogue sync counting a whole store):
// the same ledger invariant — every change is a movement row and its level moves by an atomic
// quantity = quantity + delta upsert in the caller's transaction, in (store, product) order, and
// the movement hooks run for each movement — but with one statement for the levels and one for the
// movements instead of two per change. Each (store, product) may appear once; idempotency keys are
// not taken (use Apply for retried writes). It returns the movements written, in that order.
func (l *Ledger) ApplyMany(ctx context.Context, tx *gorm.DB, actor models.Actor, changes ...Change) ([]models.InventoryMovement, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	sorted := append([]Change(nil), changes...)
	sort.Slice(sorted, func(i, j int) bool { return lessChange(sorted[i], sorted[j]) })
	stores := make(pq.StringArray, len(sorted))
	products := make(pq.StringArray, len(sorted))
	deltas := make(pq.Int64Array, len(sorted))
	for i, ch := range sorted {
		if ch.IdempotencyKey != "" {
			return nil, errors.New("inventory.ApplyMany takes no idempotency keys; use Apply")
		}
		if i > 0 && ch.StoreID == sorted[i-1].StoreID && ch.ProductID == sorted[i-1].ProductID {
			return nil, fmt.Errorf("inventory.ApplyMany: product %s appears twice at store %s", ch.ProductID, ch.StoreID)
		}
		stores[i], products[i], deltas[i] = ch.StoreID.String(), ch.ProductID.String(), ch.Delta
	}
	var after []struct {
		StoreID   uuid.UUID
		ProductID uuid.UUID
		Quantity  int64
	}
	err := tx.WithContext(ctx).Raw(`
		INSERT INTO inventory_levels (store_id, product_id, quantity, updated_at)
		SELECT u.s, u.p, u.d, now() FROM unnest(?::uuid[], ?::uuid[], ?::bigint[]) AS u(s, p, d) ORDER BY u.s, u.p
		ON CONFLICT (store_id, product_id)
		DO UPDATE SET quantity = inventory_levels.quantity + EXCLUDED.quantity, updated_at = now()
		RETURNING store_id, product_id, quantity`, stores, products, deltas).Scan(&after).Error
	if err != nil {
		if models.IsForeignKeyViolation(err) {
			return nil, models.FieldError("productId", "unknown store or product")
		}
		return nil, fmt.Errorf("move stock in bulk: %w", err)
	}
	type key struct{ s, p uuid.UUID }
	level := make(map[key]int64, len(after))
	for _, a := range after {
		level[key{a.StoreID, a.ProductID}] = a.Quantity
	}
	var userID *uuid.UUID
	if actor.UserID != uuid.Nil {
		id := actor.UserID
		userID = &id
	}
	now := time.Now().UTC()
	out := make([]models.InventoryMovement, len(sorted))
	ids := make(pq.StringArray, len(sorted))
	types, reasons, refTypes, refIDs := make(pq.StringArray, len(sorted)), make(pq.StringArray, len(sorted)),
		make(pq.StringArray, len(sorted)), make(pq.StringArray, len(sorted))
	afters := make(pq.Int64Array, len(sorted))
	for i, ch := range sorted {
		q, ok := level[key{ch.StoreID, ch.ProductID}]
		if !ok {
			return nil, fmt.Errorf("inventory.ApplyMany: no level came back for %s at %s", ch.ProductID, ch.StoreID)
		}
		m := models.InventoryMovement{ID: models.NewID(), StoreID: ch.StoreID, ProductID: ch.ProductID, Type: ch.Type,
			Quantity: ch.Delta, QuantityAfter: q, Reason: ch.Reason, ReferenceType: ch.ReferenceType,
			ReferenceID: ch.ReferenceID, UserID: userID, CreatedAt: now}
		out[i] = m
		ids[i], types[i], reasons[i], refTypes[i], afters[i] = m.ID.String(), m.Type, m.Reason, m.ReferenceType, q
		if ch.ReferenceID != nil {
			refIDs[i] = ch.ReferenceID.String()
		}
	}
	err = tx.WithContext(ctx).Exec(`
		INSERT INTO inventory_movements (id, store_id, product_id, type, quantity, quantity_after, reason,
			reference_type, reference_id, user_id, created_at)
		SELECT u.id, u.s, u.p, u.t, u.q, u.a, u.r, u.rt, NULLIF(u.rid, '')::uuid, ?::uuid, ?
		FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[])
			AS u(id, s, p, t, q, a, r, rt, rid)`,
		userID, now, ids, stores, products, types, deltas, afters, reasons, refTypes, refIDs).Error
	if err != nil {
		return nil, fmt.Errorf("record movements in bulk: %w", err)
	}
	for _, m := range out {
		if err := l.moved(ctx, tx, m); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func lessChange(a, b Change) bool {
	if a.StoreID != b.StoreID {
		return a.StoreID.String() < b.StoreID.String()
	}
	return a.ProductID.String() < b.ProductID.String()
}

// SetLevels counts products at one store: each product's level becomes its target through one
// movement of delta target − current (tmpl gives the type, reason and reference; Count for a
// count). The levels are locked first, in product order, so the deltas are computed from values
// no other transaction can change before this one commits. Products already at their target get
// no movement. It returns the movements written.
func (l *Ledger) SetLevels(ctx context.Context, tx *gorm.DB, actor models.Actor, storeID uuid.UUID, targets map[uuid.UUID]int64, tmpl Change) ([]models.InventoryMovement, error) {
	if len(targets) == 0 {
		return nil, nil
	}
	all := make(pq.StringArray, 0, len(targets))
	nonZero := make(pq.StringArray, 0, len(targets))
	for id, q := range targets {
		all = append(all, id.String())
		if q != 0 {
			nonZero = append(nonZero, id.String())
		}
	}
	sort.Strings(all)
	sort.Strings(nonZero)
	// A product that never moved here has no level row to lock: create it at zero first (only
	// where the target is not zero; a missing level already is zero).
	if len(nonZero) > 0 {
		err := tx.WithContext(ctx).Exec(`
			INSERT INTO inventory_levels (store_id, product_id, quantity, updated_at)
			SELECT ?, p, 0, now() FROM unnest(?::uuid[]) AS p ORDER BY p
			ON CONFLICT (store_id, product_id) DO NOTHING`, storeID, nonZero).Error
		if err != nil {
			if models.IsForeignKeyViolation(err) {
				return nil, models.FieldError("productId", "unknown store or product")
			}
			return nil, fmt.Errorf("create levels: %w", err)
		}
	}
	var current []struct {
		ProductID uuid.UUID
		Quantity  int64
	}
	err := tx.WithContext(ctx).Raw(`
		SELECT product_id, quantity FROM inventory_levels
		WHERE store_id = ? AND product_id = ANY(?::uuid[])
		ORDER BY product_id FOR UPDATE`, storeID, all).Scan(&current).Error
	if err != nil {
		return nil, fmt.Errorf("lock levels: %w", err)
	}
	have := make(map[uuid.UUID]int64, len(current))
	for _, c := range current {
		have[c.ProductID] = c.Quantity
	}
	changes := make([]Change, 0, len(targets))
	for id, target := range targets {
		if delta := target - have[id]; delta != 0 {
			ch := tmpl
			ch.StoreID, ch.ProductID, ch.Delta, ch.IdempotencyKey = storeID, id, delta, ""
			changes = append(changes, ch)
		}
	}
	return l.ApplyMany(ctx, tx, actor, changes...)
}
