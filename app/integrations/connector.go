package integrations

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"backroom/models"
)

// Connector is one kind of outside system. Connectors live in sub-packages
// (integrations/codemax, integrations/webhook, …); the composition root (app.New) builds them and
// hands them to the service with Offer.
type Connector interface {
	// Kind is the stored kind ("codemax").
	Kind() string
	// Label names the kind on the page ("Codemax RMS").
	Label() string
	// Help explains the kind on the settings page.
	Help() string
	// Fields describes the settings and secrets the kind takes, for validation and the forms.
	Fields() []Field
	// Test checks credentials and reachability, saying what failed.
	Test(ctx context.Context, in *Instance) error
	// Run does one run, reporting progress and per-item errors through r.
	Run(ctx context.Context, in *Instance, r *Run) error
}

// Field describes one setting or secret.
type Field struct {
	Name     string
	Label    string
	Help     string
	Default  string
	Secret   bool
	Required bool
	Type     string   // text (default), url, int, select, multi (comma-separated choices), store
	Options  []string // for select and multi
	Min, Max int      // for int
}

// Instance is an integration with its settings and opened secrets, handed to a connector.
type Instance struct {
	models.Integration
	Settings map[string]string
	Secrets  map[string]string
	Store    *models.Store
	// PublicURL is where Backroom is reached from outside (webhook URLs, links in payloads).
	PublicURL string
}

// Setting returns a setting or the field's default.
func (in *Instance) Setting(name string) string { return in.Settings[name] }

// Offer makes connectors the kinds this service offers; a connector replaces an earlier one of
// its kind (a test's stand-in for a real system). The composition root calls it once, before
// anything is served: the webhook and miPOS kinds need the service itself, so the connectors
// cannot be arguments of New.
func (s *Service) Offer(connectors ...Connector) {
	for _, c := range connectors {
		s.connectors[c.Kind()] = c
	}
}

// Connector returns the connector of a kind.
func (s *Service) Connector(kind string) (Connector, bool) {
	c, ok := s.connectors[kind]
	return c, ok
}

// Connectors lists the offered kinds in a stable order.
func (s *Service) Connectors() []Connector {
	out := make([]Connector, 0, len(s.connectors))
	for _, c := range s.connectors {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label() < out[j].Label() })
	return out
}

// normalise applies defaults and checks every field, returning cleaned settings. Secrets are
// checked for presence only (the stored set counts when has(name) is true).
func normalise(c Connector, settings, secrets map[string]string, hasSecret func(string) bool, checkURL func(string) error) (map[string]string, *models.Error) {
	out := map[string]string{}
	verr := models.Invalid()
	for _, f := range c.Fields() {
		if f.Secret {
			if f.Required && strings.TrimSpace(secrets[f.Name]) == "" && !hasSecret(f.Name) {
				verr.Add("secrets."+f.Name, "is required")
			}
			continue
		}
		v := strings.TrimSpace(settings[f.Name])
		if v == "" {
			v = f.Default
		}
		key := "settings." + f.Name
		if v == "" {
			if f.Required {
				verr.Add(key, "is required")
			}
			continue
		}
		switch f.Type {
		case "url":
			if err := checkURL(v); err != nil {
				verr.Add(key, err.Error())
				continue
			}
			v = strings.TrimRight(v, "/")
		case "int":
			n, err := strconv.Atoi(v)
			if err != nil || (f.Min != 0 && n < f.Min) || (f.Max != 0 && n > f.Max) {
				verr.Add(key, fmt.Sprintf("must be a whole number from %d to %d", f.Min, f.Max))
				continue
			}
		case "select":
			if !contains(f.Options, v) {
				verr.Add(key, "must be one of: "+strings.Join(f.Options, ", "))
				continue
			}
		case "multi":
			var picked []string
			for _, p := range strings.Split(v, ",") {
				p = strings.TrimSpace(p)
				if p == "" {
					continue
				}
				if !contains(f.Options, p) {
					verr.Add(key, "may contain only: "+strings.Join(f.Options, ", "))
					break
				}
				picked = append(picked, p)
			}
			if len(picked) == 0 && f.Required {
				verr.Add(key, "pick at least one")
			}
			v = strings.Join(picked, ",")
		}
		if len(v) > 500 {
			verr.Add(key, "must be at most 500 characters")
			continue
		}
		out[f.Name] = v
	}
	return out, verr
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// Run is a connector's handle on the run it is doing: progress counts and per-item errors are
// written as they happen, so the page's progress bar moves.
type Run struct {
	models.IntegrationRun
	db *gorm.DB
}

// DB is the database the connector reads from.
func (r *Run) DB() *gorm.DB { return r.db }

// AddTotal raises the number of items the run will handle.
func (r *Run) AddTotal(ctx context.Context, n int) error {
	r.Total += n
	return r.db.WithContext(ctx).Exec(`UPDATE integration_runs SET total = total + ? WHERE id = ?`, n, r.ID).Error
}

// Sent counts items delivered and resolves their earlier errors.
func (r *Run) Sent(ctx context.Context, itemType string, refs ...string) error {
	if len(refs) == 0 {
		return nil
	}
	r.IntegrationRun.Sent += len(refs)
	return r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE integration_runs SET sent = sent + ? WHERE id = ?`, len(refs), r.ID).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE integration_errors SET status = 'resolved', resolved_at = now(), updated_at = now()
			WHERE integration_id = ? AND item_type = ? AND item_ref IN ? AND status <> 'resolved'`, r.IntegrationID, itemType, refs).Error
	})
}

// Failed counts an item that could not be delivered and records (or bumps) its open error.
func (r *Run) Failed(ctx context.Context, itemType, ref, message string) error {
	r.IntegrationRun.Failed++
	return r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE integration_runs SET failed = failed + 1 WHERE id = ?`, r.ID).Error; err != nil {
			return err
		}
		return tx.Exec(`
			INSERT INTO integration_errors (id, integration_id, run_id, item_type, item_ref, message)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (integration_id, item_type, item_ref) WHERE status <> 'resolved'
			DO UPDATE SET message = EXCLUDED.message, run_id = EXCLUDED.run_id, status = 'open',
				attempts = integration_errors.attempts + 1, updated_at = now()`,
			models.NewID(), r.IntegrationID, r.ID, itemType, ref, truncate(message, 2000)).Error
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
