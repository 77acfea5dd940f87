package mipos

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/integrations"
)

// Failures are each miPOS integration's failing items for the integrations service's Health: stock
// updates retrying after a failed attempt, refused ones no later update of their product has
// caught up with (each update carries the absolute stock, so a later one sent makes a refused
// one moot), and a webhook registration the hub refused.
func (c *Connector) Failures(ctx context.Context, db *gorm.DB, ids []uuid.UUID) (map[uuid.UUID]integrations.Failure, error) {
	var rows []struct {
		IntegrationID uuid.UUID
		Updates       int64
		Hook          bool
		LastError     string
		At            time.Time
		Newest        string // "hook" or "update": which the newest error is
	}
	err := db.WithContext(ctx).Raw(`
		WITH failing AS (
			SELECT u.integration_id, u.last_error, u.created_at AS at, 'update' AS what
			FROM mipos_stock_updates u
			WHERE u.integration_id IN ? AND u.last_error <> '' AND (u.status = 'pending' OR (u.status = 'failed' AND NOT EXISTS (
				SELECT 1 FROM mipos_stock_updates l WHERE l.integration_id = u.integration_id AND l.product_id = u.product_id
					AND l.id > u.id AND l.status = 'sent')))
			UNION ALL
			SELECT integration_id, last_error, attempted_at, 'hook' FROM mipos_webhooks WHERE integration_id IN ? AND last_error <> '')
		SELECT DISTINCT ON (integration_id) integration_id,
			count(*) FILTER (WHERE what = 'update') OVER w AS updates, bool_or(what = 'hook') OVER w AS hook,
			last_error, at, what AS newest
		FROM failing WINDOW w AS (PARTITION BY integration_id)
		ORDER BY integration_id, at DESC`, ids, ids).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]integrations.Failure, len(rows))
	for _, r := range rows {
		f := integrations.Failure{Items: r.Updates, LastError: "Stock update: " + r.LastError, At: r.At}
		if r.Newest == "hook" {
			f.LastError = "Webhook registration: " + r.LastError
		}
		var what []string
		if r.Updates == 1 {
			what = append(what, "1 stock update failing")
		} else if r.Updates > 1 {
			what = append(what, fmt.Sprintf("%d stock updates failing", r.Updates))
		}
		if r.Hook {
			f.Items++
			what = append(what, "the webhook registration refused")
		}
		f.What = strings.Join(what, ", ") + " (see the miPOS section below)"
		out[r.IntegrationID] = f
	}
	return out, nil
}

var _ integrations.Failures = (*Connector)(nil)
