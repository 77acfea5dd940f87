// Package registers runs till sessions: opening with a float, closing with the counted cash
// (expected cash, over/short and the register's next Z number), and the X and Z reports.
package registers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/app/sales"
	"backroom/models"
)

// Service runs the register rules on the database.
type Service struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns the registers service, on the wall clock.
func New(db *gorm.DB) *Service { return &Service{db: db, now: time.Now} }

// At returns a copy of the service whose clock reads t: a session it opens is opened at t and a
// session it closes is closed at t. Replaying a till's past (the demo seed's sales history) uses
// it; requests always run on the wall clock.
func (s *Service) At(t time.Time) *Service {
	c := *s
	c.now = func() time.Time { return t }
	return &c
}

// In returns a copy of the service that works inside tx: its writes commit or roll back with
// the caller's (a store server's pushed session, applied with the rest of its batch).
func (s *Service) In(tx *gorm.DB) *Service {
	c := *s
	c.db = tx
	return &c
}

// OpenInput is the body of POST /api/v1/registers/open.
type OpenInput struct {
	StoreID      string `json:"storeId"`
	TerminalID   string `json:"terminalId" validate:"max=40"`
	OpeningFloat int64  `json:"openingFloat"`
}

// Open starts a session on a terminal with its opening float. A terminal has one open session
// at a time: a second open is a 409 (the partial unique index decides, so two tills racing
// cannot both win).
func (s *Service) Open(ctx context.Context, actor models.Actor, in OpenInput) (*models.RegisterSession, error) {
	return s.OpenWithID(ctx, actor, models.NewID(), in)
}

// OpenWithID opens a session under the id given: a store server's session keeps the id its store
// gave it, so the close pushed later finds it.
func (s *Service) OpenWithID(ctx context.Context, actor models.Actor, id uuid.UUID, in OpenInput) (*models.RegisterSession, error) {
	e := models.Invalid()
	if err := models.Validate(in); err != nil {
		var ve *models.Error
		if !errors.As(err, &ve) {
			return nil, err
		}
		e = ve
	}
	in.TerminalID = strings.TrimSpace(in.TerminalID)
	if in.TerminalID == "" {
		e.Add("terminalId", "is required")
	}
	if in.OpeningFloat < 0 {
		e.Add("openingFloat", "must be at least 0")
	}
	storeID, err := uuid.Parse(strings.TrimSpace(in.StoreID))
	if err != nil {
		e.Add("storeId", "must be a store id")
	} else if !actor.CanAt("registers.open", storeID) {
		return nil, models.Forbidden("You may not open registers at that store (registers.open)")
	}
	if err := e.Err(); err != nil {
		return nil, err
	}
	sess := models.RegisterSession{
		ID: id, StoreID: storeID, TerminalID: in.TerminalID, CashierID: actorID(actor),
		Status: models.RegisterOpen, OpeningFloat: in.OpeningFloat, OpenedAt: s.now().UTC(),
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var store models.Store
		if err := tx.Take(&store, "id = ?", storeID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.FieldError("storeId", "unknown store")
			}
			return err
		}
		if !store.IsActive {
			return models.FieldError("storeId", "store "+store.Code+" is not active")
		}
		if err := tx.Create(&sess).Error; err != nil {
			if models.IsUniqueViolation(err, "register_sessions_one_open") {
				return models.Conflict("terminal %s at %s already has an open register session; close it first", in.TerminalID, store.Code)
			}
			return fmt.Errorf("open register: %w", err)
		}
		return models.Audit(ctx, tx, actor, "register.open", "register_session", sess.ID, nil, sess)
	})
	if err != nil {
		return nil, err
	}
	return &sess, nil
}

// Close ends an open session: expected cash = opening float + cash sales − cash refunds (net of
// change, voids excluded), over/short = counted − expected, and the register's next Z number.
// The transition is one UPDATE … WHERE status = 'open': closing twice is a 409.
func (s *Service) Close(ctx context.Context, actor models.Actor, sessionID uuid.UUID, countedCash *int64) (*Report, error) {
	if countedCash == nil {
		return nil, models.FieldError("countedCash", "is required (the cash counted in the drawer, in cents)")
	}
	if *countedCash < 0 {
		return nil, models.FieldError("countedCash", "must be at least 0")
	}
	var (
		sess    models.RegisterSession
		figures sales.Figures
	)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The row lock waits for sales being recorded on this session (they share-lock it) and
		// keeps new ones out until the close commits.
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&sess, "id = ?", sessionID).Error; err != nil {
			return models.NotFoundIf(err, "register session")
		}
		if !actor.CanAt("registers.close", sess.StoreID) {
			return models.Forbidden("You may not close registers at this store (registers.close)")
		}
		if sess.Status != models.RegisterOpen {
			return models.Conflict("register session on terminal %s is already closed (%s)", sess.TerminalID, deref(sess.ZNumber))
		}
		now := s.now().UTC()
		if now.Before(sess.OpenedAt) { // only a clock set with At can be behind the opening
			return fmt.Errorf("close register session %s at %s: it was opened later, at %s", sess.ID, now.Format(time.RFC3339), sess.OpenedAt.Format(time.RFC3339))
		}
		var err error
		if figures, err = sales.SessionFigures(ctx, tx, sess.ID); err != nil {
			return err
		}
		expected := sess.OpeningFloat + figures.CashSales - figures.CashRefunds
		overShort := *countedCash - expected
		var lastZ int
		err = tx.Raw(`
			INSERT INTO register_counters (store_id, terminal_id, last_z, updated_at) VALUES (?, ?, 1, now())
			ON CONFLICT (store_id, terminal_id)
			DO UPDATE SET last_z = register_counters.last_z + 1, updated_at = now()
			RETURNING last_z`, sess.StoreID, sess.TerminalID).Scan(&lastZ).Error
		if err != nil {
			return fmt.Errorf("next Z number: %w", err)
		}
		z := fmt.Sprintf("Z-%03d", lastZ)
		res := tx.Model(&models.RegisterSession{}).Where("id = ? AND status = ?", sess.ID, models.RegisterOpen).Updates(map[string]any{
			"status": models.RegisterClosed, "closed_at": now, "closed_by": actorID(actor), "counted_cash": *countedCash,
			"expected_cash": expected, "over_short": overShort, "z_number": z, "updated_at": now,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Conflict("register session on terminal %s is already closed", sess.TerminalID)
		}
		before := sess
		sess.Status, sess.ClosedAt, sess.ClosedBy, sess.CountedCash = models.RegisterClosed, &now, actorID(actor), countedCash
		sess.ExpectedCash, sess.OverShort, sess.ZNumber = &expected, &overShort, &z
		return models.Audit(ctx, tx, actor, "register.close", "register_session", sess.ID, before, sess)
	})
	if err != nil {
		return nil, err
	}
	// The report reads names on other connections, so it is built after the commit: inside the
	// transaction, closes queued on this session's row lock could hold every pooled connection
	// while the one holding the lock waited for another.
	return s.report(ctx, sess, figures)
}

// Current returns the open session of a terminal (terminalID and storeID given) or else the
// actor's own open session.
func (s *Service) Current(ctx context.Context, actor models.Actor, storeID *uuid.UUID, terminalID string) (*Row, error) {
	q := s.db.WithContext(ctx).Where("status = ?", models.RegisterOpen)
	switch {
	case storeID != nil && terminalID != "":
		if !mayViewAt(actor, *storeID) {
			return nil, models.Forbidden("You have no register or sales permission at that store")
		}
		q = q.Where("store_id = ? AND terminal_id = ?", *storeID, terminalID)
	case storeID != nil || terminalID != "":
		return nil, models.BadRequest("give both terminal_id and store_id, or neither for your own open session")
	default:
		q = q.Where("cashier_id = ?", actor.UserID)
	}
	var list []models.RegisterSession
	if err := q.Order("opened_at DESC").Limit(1).Find(&list).Error; err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, models.NotFound("open register session")
	}
	rows, err := s.rows(ctx, list)
	if err != nil {
		return nil, err
	}
	return &rows[0], nil
}

// mayViewAt reports whether the actor works registers or sells at a store.
func mayViewAt(a models.Actor, storeID uuid.UUID) bool {
	for _, p := range []string{"registers.view", "registers.open", "registers.close", "pos.sell", "reports.x_report", "reports.z_report"} {
		if a.CanAt(p, storeID) {
			return true
		}
	}
	return false
}

// Filter narrows the sessions list. Dates are days of opening in the store's time zone. The
// query tags are the list's parameters, the same for the API and the page (server.BindQuery).
type Filter struct {
	StoreID    *uuid.UUID `query:"store_id,storeId"`
	Status     string     `query:"status"`
	TerminalID string     `query:"terminal_id,terminalId"`
	DateFrom   string     `query:"date_from,dateFrom"`
	DateTo     string     `query:"date_to,dateTo"`
}

// Row is a session with the names a person reads.
type Row struct {
	models.RegisterSession
	StoreCode    string `json:"storeCode"`
	StoreName    string `json:"storeName"`
	CashierName  string `json:"cashierName"`
	ClosedByName string `json:"closedByName,omitempty"`
	OpenedLocal  string `json:"openedAtLocal"`
	ClosedLocal  string `json:"closedAtLocal,omitempty"`
	zone         string // the store's time zone
}

// List returns one page of sessions at the actor's stores (registers.view), newest first.
func (s *Service) List(ctx context.Context, actor models.Actor, f Filter, page models.Page) ([]Row, int64, error) {
	q := actor.ScopeQuery(s.db.WithContext(ctx).Model(&models.RegisterSession{}), "registers.view", "register_sessions.store_id")
	e := models.Invalid()
	if f.StoreID != nil {
		q = q.Where("store_id = ?", *f.StoreID)
	}
	if f.TerminalID != "" {
		q = q.Where("terminal_id = ?", f.TerminalID)
	}
	switch f.Status {
	case "":
	case models.RegisterOpen, models.RegisterClosed:
		q = q.Where("status = ?", f.Status)
	default:
		e.Add("status", "must be one of: open, closed")
	}
	const localDay = "(register_sessions.opened_at AT TIME ZONE (SELECT st.time_zone FROM stores st WHERE st.id = register_sessions.store_id))::date"
	for _, d := range []struct{ field, value, op string }{{"date_from", f.DateFrom, ">="}, {"date_to", f.DateTo, "<="}} {
		if d.value == "" {
			continue
		}
		if _, err := models.ParseLocalDate(d.value); err != nil {
			e.Add(d.field, err.Error())
			continue
		}
		q = q.Where(localDay+" "+d.op+" ?", d.value)
	}
	if err := e.Err(); err != nil {
		return nil, 0, err
	}
	list, total, err := models.Paged[models.RegisterSession](q, page, "opened_at DESC, id DESC")
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.rows(ctx, list)
	return rows, total, err
}

func (s *Service) rows(ctx context.Context, list []models.RegisterSession) ([]Row, error) {
	db := s.db.WithContext(ctx)
	var storeIDs, userIDs []uuid.UUID
	for _, r := range list {
		storeIDs = append(storeIDs, r.StoreID)
		for _, u := range []*uuid.UUID{r.CashierID, r.ClosedBy} {
			if u != nil {
				userIDs = append(userIDs, *u)
			}
		}
	}
	stores := map[uuid.UUID]models.Store{}
	users := map[uuid.UUID]string{}
	if len(storeIDs) > 0 {
		var ss []models.Store
		if err := db.Where("id IN ?", storeIDs).Find(&ss).Error; err != nil {
			return nil, err
		}
		for _, st := range ss {
			stores[st.ID] = st
		}
	}
	if len(userIDs) > 0 {
		var us []models.User
		if err := db.Select("id, display_name").Where("id IN ?", userIDs).Find(&us).Error; err != nil {
			return nil, err
		}
		for _, u := range us {
			users[u.ID] = u.DisplayName
		}
	}
	out := make([]Row, len(list))
	for i, r := range list {
		st := stores[r.StoreID]
		loc := st.Location()
		out[i] = Row{RegisterSession: r, StoreCode: st.Code, StoreName: st.Name, OpenedLocal: r.OpenedAt.In(loc).Format("2006-01-02 15:04"), zone: st.TimeZone}
		if r.CashierID != nil {
			out[i].CashierName = users[*r.CashierID]
		}
		if r.ClosedBy != nil {
			out[i].ClosedByName = users[*r.ClosedBy]
		}
		if r.ClosedAt != nil {
			out[i].ClosedLocal = r.ClosedAt.In(loc).Format("2006-01-02 15:04")
		}
	}
	return out, nil
}

// Report is an X report (open session, informational) or a Z report (closed session, final).
// Both come from the same figures.
type Report struct {
	Kind         string    `json:"kind"` // X | Z
	Session      Row       `json:"session"`
	OpeningFloat int64     `json:"openingFloat"`
	ExpectedCash int64     `json:"expectedCash"`
	DeclaredCash *int64    `json:"declaredCash"`
	OverShort    *int64    `json:"overShort"`
	ZNumber      string    `json:"zNumber,omitempty"`
	GeneratedAt  time.Time `json:"generatedAt"`
	sales.Figures
}

// XReport gives the running figures of an open session; it changes nothing. A closed session
// has a Z report instead (409).
func (s *Service) XReport(ctx context.Context, actor models.Actor, sessionID uuid.UUID) (*Report, error) {
	return s.reportOf(ctx, actor, sessionID, "reports.x_report", models.RegisterOpen)
}

// ZReport gives the final figures of a closed session (409 while it is still open).
func (s *Service) ZReport(ctx context.Context, actor models.Actor, sessionID uuid.UUID) (*Report, error) {
	return s.reportOf(ctx, actor, sessionID, "reports.z_report", models.RegisterClosed)
}

func (s *Service) reportOf(ctx context.Context, actor models.Actor, sessionID uuid.UUID, perm, status string) (*Report, error) {
	db := s.db.WithContext(ctx)
	var sess models.RegisterSession
	if err := db.Take(&sess, "id = ?", sessionID).Error; err != nil {
		return nil, models.NotFoundIf(err, "register session")
	}
	if !actor.CanAt(perm, sess.StoreID) {
		if !mayViewAt(actor, sess.StoreID) {
			return nil, models.NotFound("register session")
		}
		return nil, models.Forbidden("You need the %s permission at this store", perm)
	}
	if sess.Status != status {
		if status == models.RegisterOpen {
			return nil, models.Conflict("this register session is closed; its Z report (%s) has the final figures", deref(sess.ZNumber))
		}
		return nil, models.Conflict("this register session is still open; an X report shows its running figures")
	}
	figures, err := sales.SessionFigures(ctx, db, sess.ID)
	if err != nil {
		return nil, err
	}
	return s.report(ctx, sess, figures)
}

func (s *Service) report(ctx context.Context, sess models.RegisterSession, f sales.Figures) (*Report, error) {
	rows, err := s.rows(ctx, []models.RegisterSession{sess})
	if err != nil {
		return nil, err
	}
	r := &Report{
		Kind: "X", Session: rows[0], OpeningFloat: sess.OpeningFloat, Figures: f, GeneratedAt: s.now().UTC(),
		ExpectedCash: sess.OpeningFloat + f.CashSales - f.CashRefunds,
	}
	if sess.Status == models.RegisterClosed {
		r.Kind, r.ZNumber = "Z", deref(sess.ZNumber)
		r.DeclaredCash, r.OverShort = sess.CountedCash, sess.OverShort
		if sess.ExpectedCash != nil {
			r.ExpectedCash = *sess.ExpectedCash // what was expected when the drawer was counted
		}
	}
	return r, nil
}

func actorID(a models.Actor) *uuid.UUID {
	if a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
