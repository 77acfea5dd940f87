// Package reports renders the Reports area: the index of reports and one page per report with
// its filters, chart, table and export links.
package reports

import (
	"fmt"
	"net/url"

	"backroom/views/components"
)

// Entry is one report on the index.
type Entry struct {
	Href  string
	Title string
	About string
}

// Column is a table column; numeric ones are right-aligned in tabular figures.
type Column struct {
	Title   string
	Numeric bool
}

// Bar is one bar of a chart: its label, value (cents) and the value as shown.
type Bar struct {
	Label string // under the bar, a few characters
	Title string // the whole name, in the tooltip
	Value int64
	Text  string
}

// View is one report page: the filters as given, the result and what to say about it.
type View struct {
	Slug     string
	Title    string
	About    string
	Note     string
	Dated    bool
	Periodic bool
	DateFrom string
	DateTo   string
	StoreID  string
	Period   string
	Stores   []components.Option
	Error    string
	Errors   components.Errors
	Columns  []Column
	Rows     [][]string
	Foot     []string
	Chart    []Bar
}

// Path is the report page's path.
func (v View) Path() string { return "/reports/" + v.Slug }

// query is the filters as a query string, for the export links.
func (v View) query() string {
	q := url.Values{}
	if v.Dated {
		q.Set("date_from", v.DateFrom)
		q.Set("date_to", v.DateTo)
	}
	if v.StoreID != "" {
		q.Set("store_id", v.StoreID)
	}
	if v.Periodic {
		q.Set("period", v.Period)
	}
	return q.Encode()
}

// ExportHref is the link that downloads the table in format.
func (v View) ExportHref(format string) string {
	return v.Path() + "/export." + format + "?" + v.query()
}

// PeriodOptions are the bucket sizes of sales by period.
func (v View) PeriodOptions() []components.Option {
	var out []components.Option
	for _, p := range []string{"day", "week", "month"} {
		out = append(out, components.Option{Value: p, Label: map[string]string{"day": "Day", "week": "Week", "month": "Month"}[p], Selected: v.Period == p})
	}
	return out
}

// chartHeight and the bar sizes are in SVG user units; the SVG scales to its box.
const (
	chartHeight = 160
	chartTop    = 16
	barStep     = 36
	barWidth    = 26
)

// shape is a bar placed in the chart.
type shape struct {
	X, Y, W, H int
	LabelY     int
	Bar
}

// chartWidth is the SVG's width for n bars.
func chartWidth(n int) int { return max(n*barStep, barStep) }

// baseline is the y of the zero line: the bars grow up from it and negative ones down.
func baseline(bars []Bar) int {
	hi, lo := span(bars)
	if hi-lo == 0 {
		return chartTop + chartHeight
	}
	return chartTop + int(hi*chartHeight/(hi-lo))
}

func span(bars []Bar) (hi, lo int64) {
	for _, b := range bars {
		hi, lo = max(hi, b.Value), min(lo, b.Value)
	}
	return hi, lo
}

// shapes lays the bars out against the largest value (integer maths; a bar of a non-zero value
// is at least one unit tall so it never vanishes).
func shapes(bars []Bar) []shape {
	hi, lo := span(bars)
	base := baseline(bars)
	out := make([]shape, len(bars))
	for i, b := range bars {
		h := 0
		if hi-lo > 0 {
			h = int(abs(b.Value) * chartHeight / (hi - lo))
		}
		if h == 0 && b.Value != 0 {
			h = 1
		}
		y := base - h
		if b.Value < 0 {
			y = base
		}
		out[i] = shape{X: i*barStep + (barStep-barWidth)/2, Y: y, W: barWidth, H: h, LabelY: chartTop + chartHeight + 14, Bar: b}
	}
	return out
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func viewBox(n int) string { return fmt.Sprintf("0 0 %d %d", chartWidth(n), chartTop+chartHeight+20) }

// short trims a chart label to fit under its bar.
func short(s string) string {
	r := []rune(s)
	if len(r) > 6 {
		return string(r[:5]) + "…"
	}
	return s
}

func itoa(n int) string { return fmt.Sprint(n) }
