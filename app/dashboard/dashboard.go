// Package dashboard works out the figures on the landing page: what needs the person's attention
// today in the stores they may see.
package dashboard

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"backroom/app/integrations"
	"backroom/app/money"
	"backroom/app/storesync"
	"backroom/models"
	"backroom/views/home"
)

// Cards returns the dashboard's figures the actor may see, in a fixed order. A card for an area
// the actor has no permission in is left out, never shown as zero. approvals is the count the
// sidebar already shows for the actor (-1 when they approve nothing); integ says which
// integrations are failing, as the sidebar and the integrations page do.
func Cards(ctx context.Context, db *gorm.DB, integ *integrations.Service, actor models.Actor, approvals int) ([]home.Card, error) {
	db = db.WithContext(ctx)
	var cards []home.Card
	if approvals >= 0 {
		cards = append(cards, home.Card{Label: "Waiting for your approval", Value: fmt.Sprint(approvals),
			Note: "Purchase orders and worksheets", Href: "/approvals", Tone: toneIf(approvals > 0, home.ToneWaiting)})
	}
	if actor.Can("pos.sell") {
		var today struct {
			Net   int64
			Sales int64
		}
		// "Today" is each store's own calendar day: sold_at from that store's local midnight on.
		q := db.Table("sales s").Joins("JOIN stores st ON st.id = s.store_id").
			Select("COALESCE(SUM(s.grand_total), 0) AS net, COUNT(*) FILTER (WHERE NOT s.is_refund) AS sales").
			Where("s.status = 'completed'").
			Where("s.sold_at >= (date_trunc('day', now() AT TIME ZONE st.time_zone) AT TIME ZONE st.time_zone)")
		if err := actor.ScopeQuery(q, "pos.sell", "s.store_id").Scan(&today).Error; err != nil {
			return nil, err
		}
		cards = append(cards, home.Card{Label: "Sales today", Value: money.Format(today.Net),
			Note: plural(today.Sales, "sale", "sales") + ", after refunds, tax included", Href: "/sales"})
	}
	if actor.Can("inventory.view") {
		var stock struct {
			Low      int64
			Negative int64
		}
		q := db.Table("inventory_levels l").Joins("JOIN products p ON p.id = l.product_id").
			Select("COUNT(*) FILTER (WHERE l.reorder_point > 0 AND l.quantity <= l.reorder_point) AS low, COUNT(*) FILTER (WHERE l.quantity < 0) AS negative").
			Where("p.deleted_at IS NULL AND p.is_active")
		if err := actor.ScopeQuery(q, "inventory.view", "l.store_id").Scan(&stock).Error; err != nil {
			return nil, err
		}
		cards = append(cards,
			home.Card{Label: "At or below reorder point", Value: fmt.Sprint(stock.Low), Note: "Products to reorder",
				Href: "/inventory?tab=low", Tone: toneIf(stock.Low > 0, home.ToneWaiting)},
			home.Card{Label: "Negative stock", Value: fmt.Sprint(stock.Negative), Note: "Sold offline beyond the count",
				Href: "/inventory?tab=negative", Tone: toneIf(stock.Negative > 0, home.ToneBad)})
	}
	if actor.Can("transfers.view") {
		var n int64
		q := db.Table("transfers t").Where("t.status = 'in_transit'")
		if err := actor.ScopeQuery(q, "transfers.view", "t.to_store_id").Count(&n).Error; err != nil {
			return nil, err
		}
		cards = append(cards, home.Card{Label: "Transfers on the way", Value: fmt.Sprint(n), Note: "In transit to your stores",
			Href: "/transfers?status=in_transit", Tone: toneIf(n > 0, home.ToneWaiting)})
	}
	if actor.Can("integrations.manage") {
		f, err := integ.Failing(ctx)
		if err != nil {
			return nil, err
		}
		cards = append(cards, integrationCard(f))
	}
	if actor.Can(storesync.PermManage) {
		var offline, errs int64
		q := db.Table("store_sync ss").Where("ss.status = 'active' AND (ss.last_contact_at IS NULL OR ss.last_contact_at < ?)", time.Now().Add(-storesync.OfflineAfter))
		if err := actor.ScopeQuery(q, storesync.PermManage, "ss.store_id").Count(&offline).Error; err != nil {
			return nil, err
		}
		q = db.Table("sync_errors e").Where("e.status = 'open'")
		if err := actor.ScopeQuery(q, storesync.PermManage, "e.store_id").Count(&errs).Error; err != nil {
			return nil, err
		}
		cards = append(cards, home.Card{Label: "Stores offline", Value: fmt.Sprint(offline),
			Note: "No contact for 15 minutes; " + plural(errs, "sync error", "sync errors") + " open", Href: "/sync",
			Tone: toneIf(offline > 0 || errs > 0, home.ToneBad)})
	}
	if actor.HQ["users.edit"] {
		var pins struct {
			N      int64
			People int64
		}
		err := db.Table("audit_log").Select("COUNT(*) AS n, COUNT(DISTINCT user_id) AS people").
			Where("action = 'pin_collision' AND created_at > now() - interval '24 hours'").Scan(&pins).Error
		if err != nil {
			return nil, err
		}
		// One refused PIN is someone picking a PIN already taken; several look like a search for
		// other people's PINs.
		if pins.N >= repeatedPINCollisions {
			cards = append(cards, home.Card{Label: "PINs refused as taken (24 h)", Value: fmt.Sprint(pins.N),
				Note: "By " + plural(pins.People, "person", "people") + ": a search for others' PINs? See the audit trail",
				Href: "/audit?action=pin_collision", Tone: home.ToneBad})
		}
	}
	return cards, nil
}

// integrationCard counts the failing items of the failing integrations (integrations.Health) and
// names the one that failed last with its error.
func integrationCard(f integrations.Failing) home.Card {
	c := home.Card{Label: "Integration errors", Value: fmt.Sprint(f.Items), Note: "Items an outside system refused",
		Href: "/settings/integrations", Tone: toneIf(f.Items > 0, home.ToneBad)}
	if len(f.Integrations) == 0 {
		return c
	}
	last := f.Integrations[0]
	c.Note = last.Name + ": " + last.Health.LastError
	if n := len(f.Integrations); n > 1 {
		c.Note = fmt.Sprintf("%d integrations failing; %s", n, c.Note)
	} else {
		c.Href = "/settings/integrations/" + last.ID.String()
	}
	return c
}

// repeatedPINCollisions is how many refused PINs in a day raise the dashboard alert.
const repeatedPINCollisions = 3

func toneIf(cond bool, tone string) string {
	if cond {
		return tone
	}
	return ""
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
