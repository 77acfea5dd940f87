package mipos

import (
	"context"
	"encoding/json"
	"time"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"backroom/app/integrations"
	"backroom/app/server"
	"backroom/models"
	views "backroom/views/mipos"
)

// Section shows the webhook registration and the stock-update outbox on the integration's page.
func (c *Connector) Section(ctx context.Context, in *integrations.Instance, csrf string) (templ.Component, error) {
	db := c.db.WithContext(ctx)
	loc := time.UTC
	if in.Store != nil {
		loc = in.Store.Location()
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	p := views.SectionProps{IntegrationID: in.ID.String(), CSRF: csrf, WebhookURL: webhookURL(in), AttemptedAt: "—"}
	var hook []struct {
		RegisteredAt *time.Time
		LastError    string
		AttemptedAt  *time.Time
	}
	if err := db.Raw(`SELECT registered_at, last_error, attempted_at FROM mipos_webhooks WHERE integration_id = ?`, in.ID).Scan(&hook).Error; err != nil {
		return nil, err
	}
	if len(hook) == 1 {
		if hook[0].RegisteredAt != nil {
			p.RegisteredAt = stamp(hook[0].RegisteredAt)
		}
		p.LastError, p.AttemptedAt = hook[0].LastError, stamp(hook[0].AttemptedAt)
	}
	var known struct {
		N    int64
		Last *time.Time
	}
	if err := db.Raw(`SELECT count(*) AS n, max(synced_at) AS last FROM mipos_items WHERE integration_id = ?`, in.ID).Scan(&known).Error; err != nil {
		return nil, err
	}
	p.KnownItems, p.LastSyncedAt = known.N, stamp(known.Last)
	var counts struct{ Pending, Waiting, Sent, Failed int64 }
	if err := db.Raw(`SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
			count(*) FILTER (WHERE status = 'pending' AND next_attempt_at IS NOT NULL) AS waiting,
			count(*) FILTER (WHERE status = 'sent') AS sent, count(*) FILTER (WHERE status = 'failed') AS failed
		FROM mipos_stock_updates WHERE integration_id = ?`, in.ID).Scan(&counts).Error; err != nil {
		return nil, err
	}
	p.Pending, p.Waiting, p.Sent, p.FailedTotal = counts.Pending, counts.Waiting, counts.Sent, counts.Failed
	var failed []struct {
		Body      string
		LastError string
	}
	if err := db.Raw(`SELECT body::text AS body, last_error FROM mipos_stock_updates WHERE integration_id = ? AND status = 'failed'
		ORDER BY id DESC LIMIT 20`, in.ID).Scan(&failed).Error; err != nil {
		return nil, err
	}
	for _, f := range failed {
		var facts stockFacts
		_ = json.Unmarshal([]byte(f.Body), &facts)
		sign := "+"
		if facts.MovementType == movementRemove {
			sign = "−"
		}
		p.Failed = append(p.Failed, views.FailedUpdate{SKU: facts.ExternalID, Quantity: sign + facts.Quantity, Date: facts.Date, Error: f.LastError})
	}
	return views.Section(p), nil
}

// webRegister is the "Register webhook" button: it calls the hub now and flashes the outcome.
func (c *Connector) webRegister(g *gin.Context) {
	id, err := server.IDParam(g, "id")
	if err != nil {
		server.Fail(g, err)
		return
	}
	ctx := g.Request.Context()
	in, conn, err := c.integ.Instance(ctx, c.db, id)
	if err == nil && conn.Kind() != models.KindMiPOS {
		err = models.NotFound("integration")
	}
	if err != nil {
		server.Fail(g, err)
		return
	}
	back := "/settings/integrations/" + id.String()
	regErr := c.registerWebhook(ctx, in)
	outcome := map[string]string{"url": webhookURL(in), "result": "registered"}
	if regErr != nil {
		outcome["result"] = regErr.Error()
	}
	if err := models.Audit(ctx, c.db.WithContext(ctx), server.Actor(g), "register_webhook", "integration", id, nil, outcome); err != nil {
		server.Fail(g, err)
		return
	}
	if regErr != nil {
		server.Flash(g, "error", "Webhook not registered: "+regErr.Error())
	} else {
		server.Flash(g, "success", "Webhook registered with miPOS.")
	}
	server.Redirect(g, back)
}
