package inventory

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/money"
	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	views "backroom/views/inventory"
	"backroom/views/layout"
)

func (s *Service) countsView(c *gin.Context) (views.CountsView, error) {
	a := server.Actor(c)
	var f CountFilter
	var err error
	if f.StoreID, err = server.UUIDQuery(c, "store_id", "storeId"); err != nil {
		return views.CountsView{}, err
	}
	p, err := server.PageParams(c)
	if err != nil {
		return views.CountsView{}, err
	}
	rows, total, err := s.Counts(c.Request.Context(), a, f, p)
	if err != nil {
		return views.CountsView{}, err
	}
	stores, err := s.Stores(c.Request.Context(), a, "inventory.adjust")
	if err != nil {
		return views.CountsView{}, err
	}
	var depts []models.Department
	if err := s.db.WithContext(c.Request.Context()).Where("is_active").Order("lower(name)").Find(&depts).Error; err != nil {
		return views.CountsView{}, err
	}
	v := views.CountsView{Page: server.PageOf(c, "Stock counts", navKey), Pager: pager(c, p, total, "#count-table"),
		Stores: stores, Departments: depts, CanStart: len(stores) > 0}
	if f.StoreID != nil {
		v.StoreID = f.StoreID.String()
	}
	for _, r := range rows {
		v.Rows = append(v.Rows, views.CountSummary{ID: r.ID, Number: r.Number, StoreCode: r.StoreCode, DepartmentName: r.DepartmentName,
			Status: r.Status, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Lines: r.LineCount, Counted: r.CountedCount})
	}
	return v, nil
}

func (s *Service) countsPage(c *gin.Context) {
	v, err := s.countsView(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.Counts(v))
}

func (s *Service) countStartSubmit(c *gin.Context) {
	dept := c.PostForm("departmentId")
	d, err := s.StartCount(c.Request.Context(), server.Actor(c), CountStartInput{StoreID: c.PostForm("storeId"), DepartmentID: &dept, Note: c.PostForm("note")})
	if err != nil {
		status := server.Status(err)
		if status != http.StatusUnprocessableEntity && status != http.StatusConflict {
			server.Fail(c, err)
			return
		}
		v, verr := s.countsView(c)
		if verr != nil {
			server.Fail(c, verr)
			return
		}
		v.StoreID = c.PostForm("storeId")
		v.Errors, v.Error = components.ErrorsOf(err), server.Message(err)
		server.Render(c, status, views.Counts(v))
		return
	}
	server.Flash(c, "success", "Count "+d.Number+" started: "+plural(d.Summary.Lines, "product")+" to count.")
	server.Redirect(c, "/inventory/counts/"+d.ID.String())
}

func plural(n int, what string) string {
	s := strconv.Itoa(n)
	if n == 1 {
		return s + " " + what
	}
	return s + " " + what + "s"
}

// countView turns a count into its page model.
func countView(c *gin.Context, d CountDetail, f LineFilter) views.CountView {
	a := server.Actor(c)
	v := views.CountView{Page: server.PageOf(c, "Stock count "+d.Number, navKey), ID: d.ID, Number: d.Number, Status: d.Status,
		StoreID: d.StoreID.String(), StoreCode: d.StoreCode, StoreName: d.StoreName, DepartmentName: d.DepartmentName,
		StartedAt: d.StartedAt, Note: d.Note, Show: f.Show, Search: f.Search,
		CanCount: d.Status == models.CountOpen && a.CanAt("inventory.adjust", d.StoreID),
		Totals: views.CountTotals{Lines: d.Summary.Lines, Counted: d.Summary.Counted, Uncounted: d.Summary.Uncounted,
			WithVariance: d.Summary.WithVariance, VarianceQty: d.Summary.VarianceQty, VarianceCost: d.Summary.VarianceCost}}
	for _, l := range d.Lines {
		v.Lines = append(v.Lines, lineView(l))
	}
	return v
}

func lineView(l CountLineRow) views.CountLine {
	out := views.CountLine{ProductID: l.ProductID, SKU: l.SKU, ProductName: l.ProductName, Expected: l.Expected,
		Counted: l.Counted, Variance: l.Variance, UnitCost: l.UnitCost, VarianceCost: l.VarianceCost, MovedSince: l.MovedSince}
	if l.Barcode != nil {
		out.Barcode = *l.Barcode
	}
	return out
}

func (s *Service) countPage(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	f := LineFilter{Show: c.Query("show"), Search: c.Query("search")}
	d, err := s.Count(c.Request.Context(), server.Actor(c), id, f)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.Count(countView(c, d, f)))
}

// countEntered answers an entry: for htmx the changed rows plus the totals out of band (and a
// message for a scan), otherwise back to the count page with a flash.
func (s *Service) countEntered(c *gin.Context, id uuid.UUID, lines []CountLineRow, msg string, scan bool) {
	if !server.IsHTMX(c) {
		server.Flash(c, "success", msg)
		server.Redirect(c, "/inventory/counts/"+id.String()+showSuffix(c.PostForm("show")))
		return
	}
	d, err := s.Count(c.Request.Context(), server.Actor(c), id, LineFilter{Show: "none"})
	if err != nil {
		server.Fail(c, err)
		return
	}
	v := countView(c, d, LineFilter{})
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	ctx, w := c.Request.Context(), c.Writer
	if scan {
		if err := views.ScanMessage(msg).Render(ctx, w); err != nil {
			server.Logger(c).Error("render scan message", "err", err)
		}
	}
	for _, l := range lines {
		// After a scan the row is swapped out of band; after a typed cell it is the target.
		if err := views.CountLineRow(v, lineView(l), scan).Render(ctx, w); err != nil {
			server.Logger(c).Error("render count line", "err", err)
		}
	}
	if err := views.CountTotalsBox(v, true).Render(ctx, w); err != nil {
		server.Logger(c).Error("render count totals", "err", err)
	}
}

func showSuffix(show string) string {
	switch show {
	case "uncounted", "counted", "variances":
		return "?show=" + show
	}
	return ""
}

// countEntryFailed shows an entry error: in the scan result for htmx, as a flash otherwise.
func countEntryFailed(c *gin.Context, id uuid.UUID, err error) {
	status := server.Status(err)
	if status != http.StatusUnprocessableEntity {
		server.Fail(c, err)
		return
	}
	msg := server.Message(err)
	if fields := components.ErrorsOf(err); len(fields) > 0 {
		for _, m := range fields {
			msg = m[0]
			break
		}
	}
	if server.IsHTMX(c) {
		c.Header("HX-Retarget", "#flashes")
		c.Header("HX-Reswap", "innerHTML")
		server.Render(c, status, layout.Flashes([]layout.Flash{{Kind: "error", Message: msg}}))
		return
	}
	server.Flash(c, "error", msg)
	server.Redirect(c, "/inventory/counts/"+id.String())
}

func (s *Service) countScanSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	code := strings.TrimSpace(c.PostForm("code"))
	if code == "" {
		countEntryFailed(c, id, models.FieldError("code", "scan or type a barcode or SKU"))
		return
	}
	lines, err := s.EnterCounts(c.Request.Context(), server.Actor(c), id, CountEntries{Lines: []CountEntry{{Barcode: code}}})
	if err != nil {
		countEntryFailed(c, id, err)
		return
	}
	l := lines[0]
	s.countEntered(c, id, lines, l.SKU+" "+l.ProductName+": counted "+optQty(l.Counted), true)
}

func optQty(p *int64) string {
	if p == nil {
		return "—"
	}
	return money.FormatQty(*p)
}

// countLinesSubmit saves typed quantities: fields named counted.<productId>; blank ones are
// left as they are.
func (s *Service) countLinesSubmit(c *gin.Context) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		server.Fail(c, models.BadRequest("malformed form"))
		return
	}
	// htmx posts the whole form when one cell changes; only that cell is meant.
	only := ""
	if server.IsHTMX(c) && strings.HasPrefix(c.GetHeader("HX-Trigger-Name"), "counted.") {
		only = c.GetHeader("HX-Trigger-Name")
	}
	var entries []CountEntry
	for key, vals := range c.Request.PostForm {
		pid, ok := strings.CutPrefix(key, "counted.")
		if !ok || (only != "" && key != only) || len(vals) == 0 || strings.TrimSpace(vals[len(vals)-1]) == "" {
			continue
		}
		q, err := money.ParseQty(vals[len(vals)-1])
		if err != nil || q < 0 {
			countEntryFailed(c, id, models.FieldError(key, "counted quantities must be numbers such as 12 or 2.5"))
			return
		}
		entries = append(entries, CountEntry{ProductID: pid, Counted: &q})
	}
	if len(entries) == 0 {
		countEntryFailed(c, id, models.FieldError("lines", "type at least one counted quantity"))
		return
	}
	lines, err := s.EnterCounts(c.Request.Context(), server.Actor(c), id, CountEntries{Lines: entries})
	if err != nil {
		countEntryFailed(c, id, err)
		return
	}
	s.countEntered(c, id, lines, "Saved "+plural(len(lines), "counted quantity")+".", false)
}

// countFinishSubmit runs post or abandon after confirmation (hx-confirm, or the confirmation
// page without JavaScript).
func (s *Service) countFinishSubmit(c *gin.Context, verb string, fn func(c *gin.Context, id uuid.UUID) (CountDetail, error)) {
	id, err := server.IDParam(c, "id")
	if err != nil {
		server.Fail(c, err)
		return
	}
	if c.PostForm("confirm") != "yes" {
		d, err := s.Count(c.Request.Context(), server.Actor(c), id, LineFilter{Show: "none"})
		if err != nil {
			server.Fail(c, err)
			return
		}
		msg := "Abandon count " + d.Number + "? Nothing changes in stock."
		if verb == "post" {
			msg = "Post count " + d.Number + "? " + plural(d.Summary.WithVariance, "product") + " with a variance worth " +
				money.Format(d.Summary.VarianceCost) + " will be corrected in stock."
		}
		server.Render(c, http.StatusOK, components.Confirm(components.ConfirmView{
			Page: server.PageOf(c, "Stock count "+d.Number, navKey), Message: msg,
			Action: "/inventory/counts/" + id.String() + "/" + verb, Button: strings.ToUpper(verb[:1]) + verb[1:] + " count",
			Cancel: "/inventory/counts/" + id.String(),
		}))
		return
	}
	d, err := fn(c, id)
	if err != nil {
		if server.Status(err) == http.StatusConflict {
			server.Flash(c, "error", server.Message(err))
			server.Redirect(c, "/inventory/counts/"+id.String())
			return
		}
		server.Fail(c, err)
		return
	}
	msg := "Count " + d.Number + " abandoned; stock unchanged."
	if verb == "post" {
		msg = "Count " + d.Number + " posted: " + plural(d.Summary.WithVariance, "product") + " corrected (" + money.Format(d.Summary.VarianceCost) + ")."
	}
	server.Flash(c, "success", msg)
	server.Redirect(c, "/inventory/counts/"+id.String())
}

func (s *Service) countPostSubmit(c *gin.Context) {
	s.countFinishSubmit(c, "post", func(c *gin.Context, id uuid.UUID) (CountDetail, error) {
		return s.PostCount(c.Request.Context(), server.Actor(c), id)
	})
}

func (s *Service) countAbandonSubmit(c *gin.Context) {
	s.countFinishSubmit(c, "abandon", func(c *gin.Context, id uuid.UUID) (CountDetail, error) {
		return s.AbandonCount(c.Request.Context(), server.Actor(c), id)
	})
}
