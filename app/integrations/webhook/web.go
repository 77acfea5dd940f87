package webhook

import (
	"context"
	"crypto/hmac"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/integrations"
	"backroom/app/sales"
	"backroom/app/server"
	"backroom/models"
	views "backroom/views/webhooks"
)

// Mount adds the delivery log API, the redeliver button's route and the public receipt-PDF link.
// The receipt link needs no signed-in person: its signature is the permission (see receiptPDF).
// receipts renders the receipt a link opens.
func (s *Service) Mount(rt server.Routes, receipts *sales.Service) {
	rt.API.GET("/integrations/:id/deliveries", server.Require("integrations.manage"), s.apiDeliveries)
	rt.API.POST("/integrations/:id/deliveries/:deliveryId/redeliver", server.Require("integrations.manage"), s.apiRedeliver)
	rt.Web.POST("/settings/integrations/:id/deliveries/:deliveryId/redeliver", server.Require("integrations.manage"), s.webRedeliver)
	rt.PublicWeb.GET("/receipts/:saleId/pdf", s.receiptPDF(receipts))
}

func (s *Service) apiDeliveries(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	p, err := server.PageParams(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	list, total, err := s.Deliveries(c.Request.Context(), id, c.Query("status"), p)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.List(c, list, total, p)
}

func deliveryIDs(c *gin.Context) (id, deliveryID uuid.UUID, err error) {
	if id, err = server.IDParam(c, "id"); err != nil {
		return
	}
	deliveryID, err = server.IDParam(c, "deliveryId")
	return
}

func (s *Service) apiRedeliver(c *gin.Context) {
	id, did, err := deliveryIDs(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Redeliver(c.Request.Context(), server.Actor(c), id, did)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Accepted(c, d)
}

func (s *Service) webRedeliver(c *gin.Context) {
	id, did, err := deliveryIDs(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, err := s.Redeliver(c.Request.Context(), server.Actor(c), id, did)
	switch {
	case err == nil:
		server.Flash(c, "success", "Delivery of "+d.Event+" for "+d.ReceiptNumber+" queued; it is sent within seconds.")
	case server.Status(err) == http.StatusConflict:
		server.Flash(c, "error", server.Message(err))
	default:
		server.Fail(c, err)
		return
	}
	server.Redirect(c, "/settings/integrations/"+id.String()+"#webhook-deliveries")
}

// receiptPDF serves a sale's receipt PDF to whoever holds a signed, unexpired link (a webhook
// receiver, the customer it forwards it to): 403 when the signature does not match, 410 once
// the link has expired.
func (s *Service) receiptPDF(receipts *sales.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := server.IDParam(c, "saleId")
		if err != nil {
			server.Fail(c, err)
			return
		}
		exp := c.Query("exp")
		want := s.linkSig(id.String(), exp)
		if !hmac.Equal([]byte(want), []byte(c.Query("sig"))) {
			c.String(http.StatusForbidden, "This receipt link is not valid.")
			return
		}
		until, err := strconv.ParseInt(exp, 10, 64)
		if err != nil || time.Now().Unix() > until {
			c.String(http.StatusGone, "This receipt link has expired; ask the store for a new copy.")
			return
		}
		r, err := receipts.Receipt(c.Request.Context(), models.System, id)
		if err != nil {
			server.Fail(c, err)
			return
		}
		b, err := sales.ReceiptPDF(r)
		if err != nil {
			server.Fail(c, err)
			return
		}
		c.Header("Cache-Control", "private, max-age=300")
		c.Header("X-Robots-Tag", "noindex")
		c.Header("Content-Disposition", `inline; filename="receipt.pdf"`)
		c.Data(http.StatusOK, "application/pdf", b)
	}
}

// Section is the delivery log on the integration's page.
func (s *Service) Section(ctx context.Context, in *integrations.Instance, csrf string) (templ.Component, error) {
	list, total, err := s.Deliveries(ctx, in.ID, "", models.NewPage(1, 25))
	if err != nil {
		return nil, err
	}
	p := views.LogProps{IntegrationID: in.ID.String(), CSRF: csrf, Total: total, Headers: headerHelp,
		Example: exampleBody, GoSnippet: goSnippet, NodeSnippet: nodeSnippet}
	for _, d := range list {
		r := views.Row{ID: d.ID.String(), Event: d.Event, SaleID: d.SaleID.String(), ReceiptNumber: d.ReceiptNumber, Status: d.Status, State: d.State,
			Attempts: d.Attempts, LastCode: code(d.LastStatusCode), Duration: ms(d.LastDurationMs), NextRetry: "—",
			Created: stamp(d.CreatedAt), LastError: d.LastError}
		if d.NextAttemptAt != nil && d.Status == StatusPending {
			r.NextRetry = stamp(*d.NextAttemptAt)
		}
		for _, a := range d.AttemptLog {
			r.Tries = append(r.Tries, views.Try{At: stamp(a.CreatedAt), Code: code(a.StatusCode), Duration: ms(&a.DurationMs),
				Excerpt: a.ResponseExcerpt, Error: a.Error})
		}
		p.Rows = append(p.Rows, r)
	}
	return views.Log(p), nil
}

func code(c *int) string {
	if c == nil {
		return "—"
	}
	return strconv.Itoa(*c)
}

func ms(v *int) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%d ms", *v)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

var headerHelp = [][2]string{
	{HeaderEvent, "validated or terminated (ping for “Test connection”)"},
	{HeaderDelivery, "the delivery's id: the same on every retry and redelivery"},
	{HeaderTimestamp, "when this attempt was sent, in Unix seconds"},
	{HeaderSignature, "hex HMAC-SHA256 of timestamp + \".\" + raw body, keyed with the signing secret"},
}

const exampleBody = `{
  "type": "validated",
  "orderID": "R-0001",
  "orderInternalID": "0190f5d2-7c1e-7a4b-9a53-5b8f3e0d1c2a",
  "price": 21.63,
  "clientID": null,
  "customer": null,
  "cashBoxID": "T01",
  "deliveryMethod": "in_store",
  "PDFinvoice": "https://backroom.example/receipts/0190f5d2-…/pdf?exp=1767225600&sig=…",
  "items": [{"sku": "COFFEE-1", "name": "Coffee", "quantity": 2, "unitPrice": 9.99,
             "discount": 0.00, "tax": 1.65, "total": 21.63}],
  "VATs": [{"name": "State Tax", "rate": 8.25, "amount": 1.65}],
  "VAT": 1.65,
  "isRefund": false,
  "storeCode": "S001",
  "soldAt": "2025-01-31T14:05:00Z"
}`

const goSnippet = `import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"time"
)

// verify reads the body and reports whether it really comes from Backroom.
func verify(r *http.Request, secret string) ([]byte, bool) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, false
	}
	ts := r.Header.Get("X-Backroom-Timestamp")
	sent, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sent, 0)).Abs() > 5*time.Minute {
		return nil, false // too old (or from the future): a replay
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	got := r.Header.Get("X-Backroom-Signature")
	return body, hmac.Equal([]byte(want), []byte(got))
}`

const nodeSnippet = `const crypto = require("crypto");

// rawBody is the request body exactly as received (a Buffer), e.g. from
// express.raw({ type: "application/json" }).
function verify(headers, rawBody, secret) {
  const ts = headers["x-backroom-timestamp"] || "";
  const got = headers["x-backroom-signature"] || "";
  if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 300) {
    return false; // too old (or from the future): a replay
  }
  const want = crypto.createHmac("sha256", secret)
    .update(ts + ".").update(rawBody).digest("hex");
  return got.length === want.length &&
    crypto.timingSafeEqual(Buffer.from(got), Buffer.from(want));
}`
