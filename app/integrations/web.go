package integrations

import (
	"context"
	"net/http"
	"sort"
	"strings"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/app/server"
	"backroom/models"
	"backroom/views/components"
	views "backroom/views/integrations"
)

// Sectioner is implemented by connectors that add a section to their integration's page (the
// webhook delivery log, for example).
type Sectioner interface {
	Section(ctx context.Context, in *Instance, csrf string) (templ.Component, error)
}

// ListSection adds a section under the integration list (API keys, for example); Mount takes
// them from the composition root.
type ListSection func(c *gin.Context) (templ.Component, error)

const navKey = "integrations"

func row(v View) views.Row {
	store := "All stores"
	if v.StoreCode != "" {
		store = v.StoreCode
	}
	return views.Row{ID: v.ID.String(), Name: v.Name, Kind: v.Kind, KindLabel: v.Label, Store: store, Enabled: v.Enabled,
		LastRunAt: v.LastRunAt, LastStatus: v.LastRunStatus, NextRunAt: v.NextRunAt, OpenErrors: v.OpenErrors,
		Failing: v.Health.Failing, FailingItems: v.Health.FailingItems, LastError: v.Health.LastError, LastErrorAt: v.Health.LastErrorAt,
		LastRunFailed: v.Health.LastRunFailed, Parts: v.Health.Parts}
}

// webList is the sync-settings page: the integrations, the kinds to add, then sections.
func (s *Service) webList(sections []ListSection) gin.HandlerFunc {
	return func(c *gin.Context) {
		list, err := s.List(c.Request.Context())
		if err != nil {
			server.Fail(c, err)
			return
		}
		p := views.ListProps{Page: server.PageOf(c, "Integrations", navKey)}
		for _, v := range list {
			p.Rows = append(p.Rows, row(v))
		}
		for _, k := range s.Connectors() {
			p.Kinds = append(p.Kinds, views.KindChoice{Kind: k.Kind(), Label: k.Label(), Help: firstSentence(k.Help())})
		}
		for _, section := range sections {
			comp, err := section(c)
			if err != nil {
				server.Fail(c, err)
				return
			}
			p.Extra = append(p.Extra, comp)
		}
		server.Render(c, http.StatusOK, views.List(p))
	}
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

// formProps builds the form for a kind from its fields, the values typed and the errors.
func (s *Service) formProps(c *gin.Context, conn Connector, title, action string, in Input, errs error, editing bool, stored []string) (views.FormProps, error) {
	errors := components.ErrorsOf(errs)
	p := views.FormProps{Page: server.PageOf(c, title, navKey), Action: action, Kind: conn.Kind(), KindLabel: conn.Label(),
		Help: conn.Help(), Name: in.Name, Enabled: in.Enabled == nil || *in.Enabled, Errors: errors, Editing: editing}
	if errs != nil && errors == nil {
		p.Error = server.Message(errs)
	} else if errors != nil {
		p.Error = "Please correct the fields marked below."
	}
	if ns, ok := conn.(NeedsStore); ok {
		p.NeedStore = ns.NeedsStore()
	}
	var stores []models.Store
	if err := s.db.WithContext(c.Request.Context()).Order("code").Find(&stores).Error; err != nil {
		return p, err
	}
	if p.NeedStore {
		// No store is picked for the person: sending the wrong store's data is worse than a 422.
		p.Stores = append(p.Stores, components.Option{Value: "", Label: "Choose a store…", Selected: in.StoreID == nil})
	} else {
		p.Stores = append(p.Stores, components.Option{Value: "", Label: "All stores"})
	}
	for _, st := range stores {
		sel := in.StoreID != nil && *in.StoreID == st.ID
		p.Stores = append(p.Stores, components.Option{Value: st.ID.String(), Label: st.Code + " — " + st.Name, Selected: sel})
	}
	settings := stringify(in.Settings)
	for _, f := range conn.Fields() {
		fd := components.Field{Label: f.Label, Help: f.Help, Required: f.Required}
		if f.Secret {
			fd.Name, fd.Type = "secrets."+f.Name, "password"
			fd.Errors = errors["secrets."+f.Name]
			if contains(stored, f.Name) {
				fd.Required = false
				fd.Placeholder = "set — leave blank to keep"
			}
			fd.Attrs = templ.Attributes{"autocomplete": "new-password"}
		} else {
			fd.Name = "settings." + f.Name
			fd.Value = settings[f.Name]
			if fd.Value == "" && !editing {
				fd.Value = f.Default
			}
			fd.Errors = errors["settings."+f.Name]
			switch f.Type {
			case "url":
				fd.Type = "url"
			case "int":
				fd.Type = "number"
			case "select":
				fd.Type = "select"
				for _, o := range f.Options {
					fd.Options = append(fd.Options, components.Option{Value: o, Label: o, Selected: o == fd.Value})
				}
			}
			if f.Type == "multi" {
				fd.Help = strings.TrimSpace(fd.Help + " Comma-separated: " + strings.Join(f.Options, ", ") + ".")
			}
		}
		p.Fields = append(p.Fields, fd)
	}
	return p, nil
}

func (s *Service) webNew(c *gin.Context) {
	conn, ok := s.Connector(c.Query("kind"))
	if !ok {
		server.Fail(c, models.NotFound("integration kind"))
		return
	}
	p, err := s.formProps(c, conn, "Add "+conn.Label(), "/settings/integrations", Input{Kind: conn.Kind()}, nil, false, nil)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.Form(p))
}

// formInput reads the posted form into an Input.
func formInput(c *gin.Context) Input {
	in := Input{Kind: c.PostForm("kind"), Name: strings.TrimSpace(c.PostForm("name")), Settings: map[string]any{}, Secrets: map[string]string{}}
	enabled := false
	for _, v := range c.PostFormArray("enabled") {
		enabled = enabled || v == "true"
	}
	in.Enabled = &enabled
	if id, err := uuid.Parse(c.PostForm("storeId")); err == nil {
		in.StoreID = &id
	}
	_ = c.Request.ParseForm()
	keys := make([]string, 0, len(c.Request.PostForm))
	for k := range c.Request.PostForm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := c.Request.PostForm.Get(k)
		if name, ok := strings.CutPrefix(k, "settings."); ok {
			in.Settings[name] = v
		} else if name, ok := strings.CutPrefix(k, "secrets."); ok {
			in.Secrets[name] = v
		}
	}
	return in
}

func (s *Service) webCreate(c *gin.Context) {
	in := formInput(c)
	conn, ok := s.Connector(in.Kind)
	if !ok {
		server.Fail(c, models.BadRequest("unknown integration kind"))
		return
	}
	v, err := s.Save(c.Request.Context(), server.Actor(c), uuid.Nil, in)
	if err != nil {
		s.rerender(c, conn, "Add "+conn.Label(), "/settings/integrations", in, err, false, nil)
		return
	}
	server.Flash(c, "success", "Integration “"+v.Name+"” saved.")
	server.Redirect(c, "/settings/integrations/"+v.ID.String())
}

func (s *Service) rerender(c *gin.Context, conn Connector, title, action string, in Input, err error, editing bool, stored []string) {
	if server.Status(err) != http.StatusUnprocessableEntity {
		server.Fail(c, err)
		return
	}
	p, perr := s.formProps(c, conn, title, action, in, err, editing, stored)
	if perr != nil {
		server.Fail(c, perr)
		return
	}
	server.Render(c, http.StatusUnprocessableEntity, views.Form(p))
}

func (s *Service) loadView(c *gin.Context) (*View, bool) {
	id, err := server.IDParam(c, "id")
	if err == nil {
		var v *View
		if v, err = s.Get(c.Request.Context(), id); err == nil {
			return v, true
		}
	}
	server.Fail(c, err)
	return nil, false
}

func (s *Service) webEdit(c *gin.Context) {
	v, ok := s.loadView(c)
	if !ok {
		return
	}
	conn, _ := s.Connector(v.Kind)
	settings := map[string]any{}
	for k, val := range v.Settings {
		settings[k] = val
	}
	in := Input{Kind: v.Kind, Name: v.Name, Enabled: &v.Enabled, StoreID: v.StoreID, Settings: settings}
	p, err := s.formProps(c, conn, "Edit "+v.Name, "/settings/integrations/"+v.ID.String(), in, nil, true, v.SecretNames)
	if err != nil {
		server.Fail(c, err)
		return
	}
	server.Render(c, http.StatusOK, views.Form(p))
}

func (s *Service) webUpdate(c *gin.Context) {
	v, ok := s.loadView(c)
	if !ok {
		return
	}
	in := formInput(c)
	in.Kind = v.Kind
	conn, _ := s.Connector(v.Kind)
	saved, err := s.Save(c.Request.Context(), server.Actor(c), v.ID, in)
	if err != nil {
		s.rerender(c, conn, "Edit "+v.Name, "/settings/integrations/"+v.ID.String(), in, err, true, v.SecretNames)
		return
	}
	server.Flash(c, "success", "Integration “"+saved.Name+"” saved.")
	server.Redirect(c, "/settings/integrations/"+v.ID.String())
}

func (s *Service) webDetail(c *gin.Context) {
	v, ok := s.loadView(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	p := views.DetailProps{Page: server.PageOf(c, v.Name, navKey), Row: row(*v)}
	conn, _ := s.Connector(v.Kind)
	for _, f := range conn.Fields() {
		if f.Secret {
			if contains(v.SecretNames, f.Name) {
				p.Secrets = append(p.Secrets, f.Label)
			}
			continue
		}
		if val := v.Settings[f.Name]; val != "" {
			p.Settings = append(p.Settings, [2]string{f.Label, val})
		}
	}
	var err error
	if p.Runs, _, err = s.Runs(ctx, v.ID, models.NewPage(1, 20)); err != nil {
		server.Fail(c, err)
		return
	}
	if p.Errors, _, err = s.Errors(ctx, v.ID, false, models.NewPage(1, 50)); err != nil {
		server.Fail(c, err)
		return
	}
	if sec, ok := conn.(Sectioner); ok {
		in, _, err := s.Instance(ctx, s.db, v.ID)
		if err != nil {
			server.Fail(c, err)
			return
		}
		comp, err := sec.Section(ctx, in, p.Page.CSRFToken)
		if err != nil {
			server.Fail(c, err)
			return
		}
		p.Sections = append(p.Sections, comp)
	}
	server.Render(c, http.StatusOK, views.Detail(p))
}

func (s *Service) webDelete(c *gin.Context) {
	v, ok := s.loadView(c)
	if !ok {
		return
	}
	if err := s.Delete(c.Request.Context(), server.Actor(c), v.ID); err != nil {
		server.Fail(c, err)
		return
	}
	server.Flash(c, "success", "Integration “"+v.Name+"” deleted.")
	server.Redirect(c, "/settings/integrations")
}

func (s *Service) webTest(c *gin.Context) {
	v, ok := s.loadView(c)
	if !ok {
		return
	}
	if err := s.Test(c.Request.Context(), v.ID); err != nil {
		server.Flash(c, "error", server.Message(err))
	} else {
		server.Flash(c, "success", "Connection test succeeded.")
	}
	server.Redirect(c, "/settings/integrations/"+v.ID.String())
}

func (s *Service) webStartRun(c *gin.Context) {
	v, ok := s.loadView(c)
	if !ok {
		return
	}
	run, err := s.StartRun(c.Request.Context(), server.Actor(c), v.ID, models.TriggerManual)
	if err != nil {
		server.Flash(c, "error", server.Message(err))
		server.Redirect(c, "/settings/integrations/"+v.ID.String())
		return
	}
	server.Redirect(c, "/settings/integrations/runs/"+run.ID.String())
}

func (s *Service) webRun(c *gin.Context) {
	id, err := server.IDParam(c, "runId")
	if err != nil {
		server.Fail(c, err)
		return
	}
	r, err := s.GetRun(c.Request.Context(), id)
	if err != nil {
		server.Fail(c, err)
		return
	}
	v, err := s.Get(c.Request.Context(), r.IntegrationID)
	if err != nil {
		server.Fail(c, err)
		return
	}
	page := server.PageOf(c, "Run of "+v.Name, navKey)
	server.RenderPage(c, http.StatusOK, views.RunPage(page, v.ID.String(), v.Name, *r), views.RunProgress(*r))
}

func (s *Service) webRetry(c *gin.Context) {
	id, errID, err := twoIDs(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if _, err := s.RetryError(c.Request.Context(), server.Actor(c), id, errID); err != nil {
		server.Flash(c, "error", server.Message(err))
	} else {
		server.Flash(c, "success", "Retry queued.")
	}
	server.Redirect(c, "/settings/integrations/"+id.String())
}

func (s *Service) webResolve(c *gin.Context) {
	id, errID, err := twoIDs(c)
	if err != nil {
		server.Fail(c, err)
		return
	}
	if err := s.ResolveError(c.Request.Context(), server.Actor(c), id, errID); err != nil {
		server.Flash(c, "error", server.Message(err))
	} else {
		server.Flash(c, "success", "Error marked resolved.")
	}
	server.Redirect(c, "/settings/integrations/"+id.String())
}
