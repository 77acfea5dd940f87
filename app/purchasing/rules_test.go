package purchasing_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"

	"backroom/app/purchasing"
	"backroom/models"
)

// TestButtonsShowExactlyWhenTheActionIsAccepted: for an order in each state, and the person who
// submitted it, another approver and a receiver, what Allowed shows (the page's buttons) is
// exactly what the API then accepts.
func TestButtonsShowExactlyWhenTheActionIsAccepted(t *testing.T) {
	f := setup(t)
	type actor struct {
		name  string
		token string
		id    uuid.UUID
		perms []string
	}
	receiver, rtok := f.app.User(nil, purchasing.PermView, purchasing.PermReceive)
	actors := []actor{
		{"submitter", f.buyer, f.buyerID, allPO},
		{"approver", f.approver, f.approverID, allPO},
	}
	actors = append(actors, actor{"receiver", rtok, receiver.ID, []string{purchasing.PermView, purchasing.PermReceive}})

	// An order brought to state, fresh for each try (an accepted action changes it).
	to := func(state string) purchasing.Detail {
		switch state {
		case models.PODraft:
			return f.create(t, f.buyer)
		case models.POSubmitted:
			d := f.create(t, f.buyer)
			return f.do(t, "PATCH", poPath(d.ID, "submit"), nil, f.buyer, 200)
		case models.POApproved:
			d := f.create(t, f.buyer)
			f.do(t, "PATCH", poPath(d.ID, "submit"), nil, f.buyer, 200)
			return f.do(t, "PATCH", poPath(d.ID, "approve"), nil, f.approver, 200)
		case models.POSent:
			return f.sent(t)
		}
		return f.partial(t)
	}
	actions := []struct {
		name   string
		method string
		body   func(d purchasing.Detail) any
		shown  func(a purchasing.Actions) bool
	}{
		{"submit", "PATCH", nil, func(a purchasing.Actions) bool { return a.Submit }},
		{"approve", "PATCH", nil, func(a purchasing.Actions) bool { return a.Approve }},
		{"reject", "PATCH", func(purchasing.Detail) any { return map[string]string{"reason": "too dear"} }, func(a purchasing.Actions) bool { return a.Reject }},
		{"send", "PATCH", nil, func(a purchasing.Actions) bool { return a.Send }},
		{"receive", "PATCH", func(d purchasing.Detail) any {
			return map[string]any{"items": []any{map[string]any{"itemId": d.Items[0].ID, "quantityReceived": 1000}}}
		}, func(a purchasing.Actions) bool { return a.Receive }},
		{"close", "PATCH", func(purchasing.Detail) any { return map[string]string{"reason": "supplier out of stock"} }, func(a purchasing.Actions) bool { return a.CloseShort }},
		{"cancel", "PATCH", nil, func(a purchasing.Actions) bool { return a.Cancel }},
		{"", "DELETE", nil, func(a purchasing.Actions) bool { return a.Delete }},
	}
	checked := 0
	for _, state := range []string{models.PODraft, models.POSubmitted, models.POApproved, models.POSent, models.POPartial} {
		for _, a := range actors {
			for _, act := range actions {
				d := to(state)
				perms := map[string]bool{}
				for _, p := range a.perms {
					perms[p] = true
				}
				shown := act.shown(purchasing.Allowed(models.Actor{UserID: a.id, HQ: perms}, d.PurchaseOrder, len(d.Items)))
				var body any
				if act.body != nil {
					body = act.body(d)
				}
				res := f.app.Do(act.method, poPath(d.ID, act.name), body, a.token)
				accepted := res.Code == http.StatusOK
				if !accepted && res.Code != http.StatusForbidden && res.Code != http.StatusConflict {
					t.Fatalf("%s %s on a %s order: %d %s", a.name, act.name, state, res.Code, res.String())
				}
				if accepted != shown {
					t.Errorf("%s on a %s order by the %s: the button %s, the API answered %d", act.name, state, a.name, map[bool]string{true: "shows", false: "is hidden"}[shown], res.Code)
				}
				checked++
			}
		}
	}
	if checked != 5*3*8 {
		t.Fatalf("checked %d combinations, want 120", checked)
	}
}
