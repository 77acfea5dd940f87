package reports_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"backroom/app/apptest"
	"backroom/app/reports"
)

// TestEveryReportIsMountedWithItsPermission holds the route table in reports.Mount, which
// writes each report's paths and permission out, to reports.Catalog: every report is mounted at
// /api/v1/reports/<slug>, /reports/<slug> and /reports/<slug>/:file, nothing else is mounted
// under those prefixes (but the index and registers' x and z reports), and each route opens to
// the report's Perm and to none of the other report permissions.
func TestEveryReportIsMountedWithItsPermission(t *testing.T) {
	app := apptest.New(t)
	mounted := map[string]bool{}
	for _, r := range app.Engine.Routes() {
		if r.Method == http.MethodGet && (strings.HasPrefix(r.Path, "/reports/") || strings.HasPrefix(r.Path, "/api/v1/reports/")) {
			mounted[r.Path] = true
		}
	}
	var perms []string
	for _, r := range reports.Catalog {
		if !slices.Contains(perms, r.Perm) {
			perms = append(perms, r.Perm)
		}
	}
	for _, r := range reports.Catalog {
		paths := []string{"/api/v1/reports/" + r.Slug, "/reports/" + r.Slug, "/reports/" + r.Slug + "/:file"}
		for _, p := range paths {
			if !mounted[p] {
				t.Errorf("%s (%s) is not mounted", p, r.Slug)
			}
			delete(mounted, p)
		}
		others := slices.DeleteFunc(slices.Clone(perms), func(p string) bool { return p == r.Perm })
		_, holder := app.User(nil, r.Perm)
		_, stranger := app.User(nil, others...)
		web, _ := app.WebUser(nil, r.Perm)
		webStranger, _ := app.WebUser(nil, others...)
		for _, tc := range []struct {
			who  string
			path string
			code int
			want int
		}{
			{r.Perm, paths[0], app.Do("GET", paths[0]+"?"+rangeQuery, nil, holder).Code, http.StatusOK},
			{r.Perm, paths[1], web.Get(paths[1] + "?" + rangeQuery).Code, http.StatusOK},
			{r.Perm, paths[1] + "/export.csv", web.Get(paths[1] + "/export.csv?" + rangeQuery).Code, http.StatusOK},
			{"the other report permissions", paths[0], app.Do("GET", paths[0]+"?"+rangeQuery, nil, stranger).Code, http.StatusForbidden},
			{"the other report permissions", paths[1], webStranger.Get(paths[1] + "?" + rangeQuery).Code, http.StatusForbidden},
			{"the other report permissions", paths[1] + "/export.csv", webStranger.Get(paths[1] + "/export.csv?" + rangeQuery).Code, http.StatusForbidden},
		} {
			if tc.code != tc.want {
				t.Errorf("GET %s with %s: %d, want %d", tc.path, tc.who, tc.code, tc.want)
			}
		}
	}
	delete(mounted, "/api/v1/reports/x-report") // registers' reports of a register session
	delete(mounted, "/api/v1/reports/z-report")
	for p := range mounted {
		t.Errorf("%s is mounted but reports.Catalog has no such report", p)
	}
}
