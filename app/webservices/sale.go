package webservices

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/customers"
	"backroom/app/linemath"
	"backroom/app/money"
	"backroom/app/pricing"
	"backroom/app/sales"
	"backroom/app/server"
	"backroom/models"
)

// SaleBody is the body of POST /ws/v1/sales. Numbers may come as JSON numbers or strings; they
// are read from their text (never through a float), so 1.005 is not silently 1.00499….
type SaleBody struct {
	PaymentMethodID flexText    `json:"paymentMethodId"`
	UserID          flexText    `json:"userId"`
	CustomerID      flexText    `json:"customerId"`
	Customer        *CustomerIn `json:"customer"`
	Items           []ItemIn    `json:"items"`
	Date            flexText    `json:"date"`
}

// CustomerIn is a customer given by contact details: matched by email (by phone when there is no
// email), else created.
type CustomerIn struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// ItemIn is one line: the product by id, SKU or barcode; quantity in units (up to three
// decimals); unitPrice in cents (the store's price now when absent).
type ItemIn struct {
	ProductID flexText `json:"productId"`
	SKU       flexText `json:"sku"`
	Barcode   flexText `json:"barcode"`
	Quantity  flexText `json:"quantity"`
	UnitPrice flexText `json:"unitPrice"`
}

// flexText is a scalar JSON value kept as its text: "12", 12 and 12.5 are all accepted, null
// and absence are empty. Objects and arrays are a type error naming the field.
type flexText struct {
	Text string
	Set  bool
}

// UnmarshalJSON keeps the literal text of a number or the value of a string.
func (f *flexText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = flexText{}
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexText{Text: strings.TrimSpace(s), Set: true}
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*f = flexText{Text: string(b), Set: true}
	default:
		return &json.UnmarshalTypeError{Value: "value", Type: reflect.TypeOf("")}
	}
	return nil
}

// MarshalJSON writes the text back as a string (for the examples).
func (f flexText) MarshalJSON() ([]byte, error) { return json.Marshal(f.Text) }

// MaxFuture is how far ahead of the server's clock a sale's date may be (clocks drift).
const MaxFuture = 5 * time.Minute

// maxItems bounds one sale (sales.SaleInput allows 500 lines).
const maxItems = 500

// resolved is a SaleBody checked against the database.
type resolved struct {
	store    models.Store
	tender   models.Tender
	cashier  *uuid.UUID
	customer *uuid.UUID
	soldAt   time.Time
	products []models.Product
	qty      []int64
	price    []*int64 // nil: resolve at the store
}

var (
	errReplayed = errors.New("webservices: a concurrent request with this Idempotency-Key won")
)

// SaleRequest is one call of POST /ws/v1/sales.
type SaleRequest struct {
	Key            *models.APIKey
	IdempotencyKey string
	Body           []byte
}

// SaleAnswer is what the caller gets: the status and the exact body (a replay repeats both).
type SaleAnswer struct {
	Status   int
	Body     []byte
	Replayed bool
}

// RecordSale records a sale made elsewhere at the key's store. With an Idempotency-Key, a retry
// answers the first sale's answer and records nothing; the same key with another body is 409.
func (s *Service) RecordSale(ctx context.Context, req SaleRequest) (*SaleAnswer, error) {
	if req.Key.StoreID == nil {
		return nil, models.FieldError("storeId", "this API key has no store; recording a sale needs a key made for one store")
	}
	idem := strings.TrimSpace(req.IdempotencyKey)
	if len(idem) > 255 {
		return nil, models.FieldError("Idempotency-Key", "must be at most 255 characters")
	}
	hash, err := requestHash(req.Body)
	if err != nil {
		return nil, err
	}
	if idem != "" {
		if ans, err := s.replay(ctx, req.Key.ID, idem, hash); ans != nil || err != nil {
			return ans, err
		}
	}
	var body SaleBody
	if err := decode(req.Body, &body); err != nil {
		return nil, err
	}
	r, err := s.resolve(ctx, *req.Key.StoreID, body)
	if err != nil {
		return nil, err
	}
	actor := req.Key.Actor()
	in, err := s.saleInput(ctx, r)
	if err != nil {
		return nil, err
	}
	if in.ReceiptNumber, err = s.nextReceiptNumber(ctx, r.store, r.soldAt); err != nil {
		return nil, err
	}
	var cl *claim
	if idem != "" {
		cl = &claim{apiKeyID: req.Key.ID, key: idem, hash: hash}
	}
	var sale *models.Sale
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// A new customer is created in the sale's transaction, so a sale refused or replayed
		// (a racing retry with the same Idempotency-Key) leaves no stray customer behind.
		if body.Customer != nil && r.customer == nil {
			id, err := s.customerFor(ctx, tx, actor, *body.Customer)
			if err != nil {
				return err
			}
			idStr := id.String()
			in.CustomerID = &idStr
		}
		var err error
		if sale, err = s.sales.CreateTx(ctx, tx, actor, in); err != nil || cl == nil {
			return err
		}
		return cl.store(tx, sale)
	})
	if errors.Is(err, errReplayed) {
		// Another request with the same key committed its sale while this one was working.
		if ans, err := s.replay(ctx, req.Key.ID, idem, hash); ans != nil || err != nil {
			return ans, err
		}
		return nil, models.Conflict("a request with this Idempotency-Key is being processed; retry shortly")
	}
	if err != nil {
		return nil, renameFields(err)
	}
	if cl != nil {
		return &SaleAnswer{Status: http.StatusCreated, Body: cl.body}, nil
	}
	answer, err := answerBody(sale)
	if err != nil {
		return nil, err
	}
	return &SaleAnswer{Status: http.StatusCreated, Body: answer}, nil
}

// requestHash identifies a request body for Idempotency-Key checks; insignificant whitespace
// does not count, so a client re-serialising the same JSON is still a retry.
func requestHash(body []byte) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, body); err != nil {
		// Malformed JSON: the decoder reports it with its position.
		var v any
		return "", decode(body, &v)
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

func decode(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return models.BadRequest("request body is required (JSON)")
	}
	return server.DecodeJSON(bytes.NewReader(body), dst)
}

// replay answers the stored first answer of an idempotency key, or nil when the key is new.
func (s *Service) replay(ctx context.Context, apiKeyID uuid.UUID, idem, hash string) (*SaleAnswer, error) {
	var rows []struct {
		RequestHash string
		Status      int
		Response    string
	}
	err := s.db.WithContext(ctx).Table("ws_idempotency_keys").Select("request_hash, status, response").
		Where("api_key_id = ? AND idempotency_key = ?", apiKeyID, idem).Limit(1).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	if rows[0].RequestHash != hash {
		return nil, models.Conflict("this Idempotency-Key was used with a different request body; use a new key for a new sale")
	}
	return &SaleAnswer{Status: rows[0].Status, Body: []byte(rows[0].Response), Replayed: true}, nil
}

// claim is a request's Idempotency-Key, stored with the answer in the sale's own transaction:
// both commit together or not at all.
type claim struct {
	apiKeyID uuid.UUID
	key      string
	hash     string
	body     []byte // the answer, once stored
}

// store records the key with the sale's answer in tx; errReplayed when a concurrent request
// with the same key stored it first (the caller's transaction then rolls back).
func (cl *claim) store(tx *gorm.DB, sale *models.Sale) error {
	body, err := answerBody(sale)
	if err != nil {
		return err
	}
	res := tx.Exec(`INSERT INTO ws_idempotency_keys (api_key_id, idempotency_key, request_hash, sale_id, status, response)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, cl.apiKeyID, cl.key, cl.hash, sale.ID, http.StatusCreated, string(body))
	if res.Error != nil {
		return fmt.Errorf("store idempotency key: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return errReplayed
	}
	cl.body = body
	return nil
}

// answerBody is the envelope a recorded sale is answered with.
func answerBody(sale *models.Sale) ([]byte, error) {
	return json.Marshal(struct {
		Success bool         `json:"success"`
		Data    *models.Sale `json:"data"`
	}{true, sale})
}

func itemField(i int, name string) string {
	f := "items[" + strconv.Itoa(i) + "]"
	if name != "" {
		f += "." + name
	}
	return f
}

// resolve checks the body against the database and collects every problem by field.
func (s *Service) resolve(ctx context.Context, storeID uuid.UUID, b SaleBody) (*resolved, error) {
	db := s.db.WithContext(ctx)
	e := models.Invalid()
	r := &resolved{}
	if err := db.Take(&r.store, "id = ?", storeID).Error; err != nil {
		return nil, models.NotFoundIf(err, "store")
	}
	// Payment method: a tender code (CASH) or a tender id.
	if pm := b.PaymentMethodID.Text; pm == "" {
		e.Add("paymentMethodId", "is required (a tender code such as CASH, or a tender id)")
	} else {
		q := db.Where("upper(code) = upper(?)", pm)
		if id, err := uuid.Parse(pm); err == nil {
			q = db.Where("id = ?", id)
		}
		var ts []models.Tender
		if err := q.Limit(1).Find(&ts).Error; err != nil {
			return nil, err
		}
		switch {
		case len(ts) == 0:
			e.Add("paymentMethodId", "unknown payment method "+pm)
		case !ts[0].IsActive:
			e.Add("paymentMethodId", "payment method "+ts[0].Code+" is not active")
		default:
			r.tender = ts[0]
		}
	}
	// Cashier: a user id or username.
	if u := b.UserID.Text; u != "" {
		q := db.Where("lower(username) = lower(?)", u)
		if id, err := uuid.Parse(u); err == nil {
			q = db.Where("id = ?", id)
		}
		var us []models.User
		if err := q.Limit(1).Find(&us).Error; err != nil {
			return nil, err
		}
		if len(us) == 0 {
			e.Add("userId", "unknown user")
		} else {
			r.cashier = &us[0].ID
		}
	}
	// Customer: an id or code, or contact details (matched or created after every other check).
	if c := b.CustomerID.Text; c != "" {
		q := db.Where("upper(code) = upper(?)", c)
		if id, err := uuid.Parse(c); err == nil {
			q = db.Where("id = ?", id)
		}
		var cs []models.Customer
		if err := q.Limit(1).Find(&cs).Error; err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			e.Add("customerId", "unknown customer")
		} else {
			r.customer = &cs[0].ID
		}
	} else if b.Customer != nil {
		checkCustomer(e, *b.Customer)
	}
	now := time.Now()
	r.soldAt = now
	if d := b.Date.Text; d != "" {
		sec, err := strconv.ParseInt(d, 10, 64)
		switch {
		case err != nil || sec <= 0:
			e.Add("date", "must be a unix time in seconds, like 1718000000")
		case time.Unix(sec, 0).After(now.Add(MaxFuture)):
			e.Add("date", "is in the future")
		default:
			r.soldAt = time.Unix(sec, 0)
		}
	}
	if err := s.resolveItems(ctx, b.Items, r, e); err != nil {
		return nil, err
	}
	return r, e.Err()
}

func checkCustomer(e *models.Error, c CustomerIn) {
	if strings.TrimSpace(c.Email) == "" && strings.TrimSpace(c.Phone) == "" && strings.TrimSpace(c.Name) == "" {
		e.Add("customer", "give a name with an email or phone, or leave customer out")
	}
}

// resolveItems finds each line's product (by id, SKU or barcode, in that order of preference)
// and reads its quantity and price.
func (s *Service) resolveItems(ctx context.Context, items []ItemIn, r *resolved, e *models.Error) error {
	switch {
	case len(items) == 0:
		e.Add("items", "a sale needs at least one item")
		return nil
	case len(items) > maxItems:
		e.Add("items", fmt.Sprintf("at most %d items per sale", maxItems))
		return nil
	}
	db := s.db.WithContext(ctx)
	r.products = make([]models.Product, len(items))
	r.qty = make([]int64, len(items))
	r.price = make([]*int64, len(items))
	for i, it := range items {
		var p []models.Product
		q := models.LiveProducts(db)
		switch {
		case it.ProductID.Text != "":
			id, err := uuid.Parse(it.ProductID.Text)
			if err != nil {
				e.Add(itemField(i, "productId"), "must be a valid product id")
				break
			}
			if err := q.Where("id = ?", id).Limit(1).Find(&p).Error; err != nil {
				return err
			}
		case it.SKU.Text != "":
			if err := q.Where("lower(sku) = lower(?)", it.SKU.Text).Limit(1).Find(&p).Error; err != nil {
				return err
			}
		case it.Barcode.Text != "":
			if err := q.Where("barcode = ?", it.Barcode.Text).Limit(1).Find(&p).Error; err != nil {
				return err
			}
		default:
			e.Add(itemField(i, ""), "needs productId, sku or barcode")
		}
		what := it.ProductID.Text + it.SKU.Text + it.Barcode.Text
		if what != "" && len(p) == 0 && len(e.Fields[itemField(i, "productId")]) == 0 {
			e.Add(itemField(i, ""), "unknown product "+firstOf(it.ProductID.Text, it.SKU.Text, it.Barcode.Text))
		} else if len(p) == 1 {
			if !p[0].IsActive {
				e.Add(itemField(i, ""), "product "+p[0].SKU+" is not active")
			}
			r.products[i] = p[0]
		}
		if !it.Quantity.Set {
			e.Add(itemField(i, "quantity"), "is required")
		} else if qty, err := money.ParseQty(it.Quantity.Text); err != nil || strings.Contains(it.Quantity.Text, ",") {
			e.Add(itemField(i, "quantity"), "must be a number of units with at most 3 decimals, like 1.5")
		} else if qty <= 0 {
			e.Add(itemField(i, "quantity"), "must be more than zero")
		} else {
			r.qty[i] = qty
		}
		if it.UnitPrice.Set {
			v, err := strconv.ParseInt(it.UnitPrice.Text, 10, 64)
			switch {
			case err != nil:
				e.Add(itemField(i, "unitPrice"), "must be a whole number of cents, like 1299")
			case v < 0:
				e.Add(itemField(i, "unitPrice"), "must not be negative")
			default:
				r.price[i] = &v
			}
		}
	}
	return nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// saleInput prices the lines (the store's resolved price when none is given), taxes them with
// each product's tax group through linemath and pays the grand total in the chosen tender. The
// sale is recorded with these exact figures, which sales.Create checks again.
func (s *Service) saleInput(ctx context.Context, r *resolved) (sales.SaleInput, error) {
	var need []uuid.UUID
	groups := map[uuid.UUID]bool{}
	for i, p := range r.products {
		if r.price[i] == nil {
			need = append(need, p.ID)
		}
		if p.TaxGroupID != nil {
			groups[*p.TaxGroupID] = true
		}
	}
	prices, err := pricing.ResolveMany(ctx, s.db, r.store.ID, need, r.soldAt)
	if err != nil {
		return sales.SaleInput{}, err
	}
	groupIDs := make([]uuid.UUID, 0, len(groups))
	for g := range groups {
		groupIDs = append(groupIDs, g)
	}
	rates, err := models.TaxGroupRates(ctx, s.db, groupIDs...)
	if err != nil {
		return sales.SaleInput{}, err
	}
	lines := make([]linemath.Line, len(r.products))
	for i, p := range r.products {
		price := prices[p.ID].Price
		if r.price[i] != nil {
			price = *r.price[i]
		}
		var taxes []linemath.Tax
		if p.TaxGroupID != nil {
			for _, gr := range rates[*p.TaxGroupID] {
				taxes = append(taxes, linemath.Tax{Name: gr.Name, Rate: gr.Rate, Compound: gr.IsCompound, SortOrder: gr.SortOrder})
			}
		}
		lines[i] = linemath.Line{Quantity: r.qty[i], UnitPrice: price, Taxes: taxes}
	}
	totals, err := linemath.ComputeSale(lines)
	if err != nil {
		var le *linemath.LineError
		if errors.As(err, &le) {
			return sales.SaleInput{}, models.FieldError(itemField(le.Index, "quantity"), "the line's amount is out of range")
		}
		return sales.SaleInput{}, models.FieldError("items", "the sale's amount is out of range")
	}
	in := sales.SaleInput{
		StoreID: r.store.ID.String(), Subtotal: totals.Subtotal, DiscountTotal: totals.DiscountTotal,
		TaxTotal: totals.TaxTotal, GrandTotal: totals.GrandTotal, SoldAt: &r.soldAt,
	}
	if r.cashier != nil {
		id := r.cashier.String()
		in.CashierID = &id
	}
	if r.customer != nil {
		id := r.customer.String()
		in.CustomerID = &id
	}
	for i, p := range r.products {
		res := totals.Lines[i]
		taxes := make([]sales.TaxInput, 0, len(res.Taxes)) // an empty list: the line is not taxed
		for _, t := range res.Taxes {
			taxes = append(taxes, sales.TaxInput{TaxRateName: t.Name, Rate: t.Rate, TaxAmount: t.Amount, IsCompound: t.Compound, SortOrder: t.SortOrder})
		}
		in.Items = append(in.Items, sales.ItemInput{
			ProductID: p.ID.String(), ProductName: p.Name, Quantity: lines[i].Quantity, UnitPrice: lines[i].UnitPrice,
			TaxRate: sumRates(res.Taxes), TaxAmount: res.TaxTotal, LineTotal: res.Total, Taxes: taxes,
		})
	}
	if totals.GrandTotal > 0 {
		in.Payments = []sales.PaymentInput{{Method: r.tender.Code, Amount: totals.GrandTotal}}
	}
	return in, nil
}

func sumRates(ts []linemath.TaxAmount) int64 {
	var n int64
	for _, t := range ts {
		n += t.Rate
	}
	return n
}

// customerFor matches a customer by email (or by phone digits when no email is given), or
// creates one with the name split into first and last name.
func (s *Service) customerFor(ctx context.Context, tx *gorm.DB, actor models.Actor, c CustomerIn) (uuid.UUID, error) {
	db := tx.WithContext(ctx)
	email, phone := strings.TrimSpace(c.Email), strings.TrimSpace(c.Phone)
	var ids []uuid.UUID
	if email != "" {
		if err := db.Model(&models.Customer{}).Where("lower(email) = lower(?)", email).Order("is_active DESC, created_at").Limit(1).Pluck("id", &ids).Error; err != nil {
			return uuid.Nil, err
		}
	}
	// Phone only when there is no email: an email that matches nobody is a new person, even if
	// they share a household phone with a customer.
	if digits := nonDigit.ReplaceAllString(phone, ""); email == "" && len(digits) >= 5 {
		if err := db.Model(&models.Customer{}).Where(`regexp_replace(phone, '\D', '', 'g') = ?`, digits).Order("is_active DESC, created_at").Limit(1).Pluck("id", &ids).Error; err != nil {
			return uuid.Nil, err
		}
	}
	if len(ids) > 0 {
		return ids[0], nil
	}
	first, last := splitName(c.Name)
	if first == "" || last == "" {
		return uuid.Nil, models.FieldError("customer.name", "give the customer's first and last name (no customer matches that email or phone)")
	}
	created, err := customers.CreateCustomerTx(ctx, tx, actor, customers.CustomerInput{FirstName: first, LastName: last, Email: email, Phone: phone})
	if err != nil {
		return uuid.Nil, prefixFields(err, "customer.", map[string]string{"firstName": "name", "lastName": "name"})
	}
	return created.ID, nil
}

var nonDigit = regexp.MustCompile(`\D`)

// splitName takes the last word as the last name: "Mary Ann Smith" is Mary Ann / Smith.
func splitName(name string) (string, string) {
	words := strings.Fields(name)
	if len(words) < 2 {
		return "", ""
	}
	return strings.Join(words[:len(words)-1], " "), words[len(words)-1]
}

// nextReceiptNumber numbers web-service sales per store and local day: WS-20240315-0001.
func (s *Service) nextReceiptNumber(ctx context.Context, store models.Store, at time.Time) (string, error) {
	day := at.In(store.Location()).Format("2006-01-02")
	var n int64
	err := s.db.WithContext(ctx).Raw(`INSERT INTO ws_receipt_counters (store_id, day, last_number) VALUES (?, ?, 1)
		ON CONFLICT (store_id, day) DO UPDATE SET last_number = ws_receipt_counters.last_number + 1
		RETURNING last_number`, store.ID, day).Scan(&n).Error
	if err != nil {
		return "", fmt.Errorf("next receipt number: %w", err)
	}
	return fmt.Sprintf("WS-%s-%04d", strings.ReplaceAll(day, "-", ""), n), nil
}

// renameFields maps the sales area's field names back to this body's.
func renameFields(err error) error {
	return prefixFields(err, "", map[string]string{"cashierId": "userId", "payments": "paymentMethodId", "payments[0].method": "paymentMethodId", "payments[0].amount": "paymentMethodId"})
}

// prefixFields renames the fields of a validation or conflict error.
func prefixFields(err error, prefix string, rename map[string]string) error {
	var me *models.Error
	if !errors.As(err, &me) || len(me.Fields) == 0 {
		return err
	}
	out := &models.Error{Kind: me.Kind, Message: me.Message, Fields: map[string][]string{}}
	for f, msgs := range me.Fields {
		if to, ok := rename[f]; ok {
			f = to
		}
		out.Fields[prefix+f] = append(out.Fields[prefix+f], msgs...)
	}
	return out
}
