package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Transition is one checked status change, done the same way by every state machine (purchase
// orders, worksheets, transfers):
//
//  1. lock the row, so what is read and audited as "before" is what this change moves from (a
//     change committing between an unlocked read and the UPDATE let an audit record a state the
//     record had already left);
//  2. Load reads the record under the lock and may refuse (permission, separation of duties, an
//     incomplete record), returning its status now;
//  3. UPDATE … WHERE status IN From, with Set; when no row moves, a 409 naming the record, its
//     current state and the states it can be Verb from;
//  4. Work, if any, in the same transaction (stock moves, lines);
//  5. an audit entry with the status before and after (plus After and Work's details).
type Transition struct {
	Table  string // the record's table: it has number and status columns
	Entity string // audit entity type, e.g. "purchase_order"
	What   string // how messages name it, e.g. "purchase order"
	ID     uuid.UUID
	Verb   string // past tense, as audited: "approved"
	To     string
	From   []string
	Set    map[string]any // further columns to set with the status
	After  map[string]any // further audit fields
	Load   func(tx *gorm.DB) (status string, err error)
	Work   func(tx *gorm.DB) (details any, err error)
}

// Run performs the transition inside tx (the caller's transaction).
func (m Transition) Run(ctx context.Context, tx *gorm.DB, actor Actor) error {
	tx = tx.WithContext(ctx)
	var locked int64
	if err := tx.Raw("SELECT count(*) FROM (SELECT 1 FROM "+m.Table+" WHERE id = ? FOR UPDATE) l", m.ID).Scan(&locked).Error; err != nil {
		return fmt.Errorf("lock %s: %w", m.What, err)
	}
	before, err := m.Load(tx)
	if err != nil {
		return err
	}
	set := map[string]any{"status": m.To, "updated_at": time.Now().UTC()}
	for k, v := range m.Set {
		set[k] = v
	}
	res := tx.Table(m.Table).Where("id = ? AND status IN ?", m.ID, m.From).Updates(set)
	if res.Error != nil {
		return fmt.Errorf("%s %s: %w", m.Verb, m.What, res.Error)
	}
	if res.RowsAffected == 0 {
		return Moved(tx, m.Table, m.What, m.ID, m.Verb, m.From...)
	}
	after := map[string]any{"status": m.To}
	for k, v := range m.After {
		after[k] = v
	}
	if m.Work != nil {
		details, err := m.Work(tx)
		if err != nil {
			return err
		}
		if details != nil {
			after["details"] = details
		}
	}
	return Audit(ctx, tx, actor, m.Verb, m.Entity, m.ID, map[string]string{"status": before}, after)
}

// Moved is the 409 of a record (in table, with number and status columns) that is not, or no
// longer, in a state it can be verb from; 404 when it is gone.
func Moved(tx *gorm.DB, table, what string, id uuid.UUID, verb string, from ...string) error {
	var cur struct{ Number, Status string }
	if err := tx.Table(table).Select("number", "status").Where("id = ?", id).Take(&cur).Error; err != nil {
		return NotFoundIf(err, what)
	}
	return Conflict("%s %s is already %s; it can be %s only when %s", what, cur.Number, words(cur.Status), verb, words(strings.Join(from, " or ")))
}

func words(s string) string { return strings.ReplaceAll(s, "_", " ") }
