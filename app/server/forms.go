package server

import (
	"context"
	"net/http"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/models"
	"backroom/views/components"
)

// Confirmation is the question a destructive form post must have answered before it runs.
type Confirmation struct {
	Question string // what will happen, e.g. "Delete this special?"
	Cancel   string // where "Cancel" leads
	Title    string // the page title; "Please confirm" when empty
	Button   string // the button's label; "Yes, go ahead" when empty
}

// Confirmed reports whether a destructive form post carries confirm=yes (hx-confirm asked in
// the browser, or the person answered the confirmation page). When it does not, it shows the
// no-JavaScript confirmation page, which posts the same form back to the same URL, and the
// handler should simply return. active is the nav area the page highlights.
func Confirmed(c *gin.Context, active string, q Confirmation) bool {
	if c.PostForm("confirm") == "yes" {
		return true
	}
	if q.Title == "" {
		q.Title = "Please confirm"
	}
	if q.Button == "" {
		q.Button = "Yes, go ahead"
	}
	Render(c, http.StatusOK, components.Confirm(components.ConfirmView{
		Page: PageOf(c, q.Title, active), Message: q.Question, Action: c.Request.URL.Path, Button: q.Button, Cancel: q.Cancel,
	}))
	return false
}

// RecordFunc is a service call on one record for the acting user: the shape of Get, Approve,
// Cancel and the other state transitions.
type RecordFunc[T any] func(ctx context.Context, a models.Actor, id uuid.UUID) (T, error)

// Transition builds the form posts that move one kind of record, named by the :id path
// parameter, to its next state and go back to its page with "<number>: <done>" flashed.
type Transition[T any] struct {
	Active string                    // the nav area, for the confirmation page
	Path   func(id uuid.UUID) string // the record's page
	Number func(T) string            // what the flash calls the record, e.g. its PO number
}

// Post returns the handler of one transition: move runs for the actor, done is flashed after
// the record's number.
func (t Transition[T]) Post(move RecordFunc[T], done string) gin.HandlerFunc {
	return t.post(move, done, nil)
}

// PostConfirmed is Post for a transition that cannot be undone: q is asked first (see
// Confirmed), and its Cancel leads back to the record's page unless q names another.
func (t Transition[T]) PostConfirmed(move RecordFunc[T], done string, q Confirmation) gin.HandlerFunc {
	return t.post(move, done, &q)
}

func (t Transition[T]) post(move RecordFunc[T], done string, ask *Confirmation) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := IDParam(c, "id")
		if err != nil {
			Fail(c, err)
			return
		}
		if ask != nil {
			q := *ask
			if q.Cancel == "" {
				q.Cancel = t.Path(id)
			}
			if !Confirmed(c, t.Active, q) {
				return
			}
		}
		rec, err := move(c.Request.Context(), Actor(c), id)
		if err != nil {
			Fail(c, err)
			return
		}
		Flash(c, "success", t.Number(rec)+": "+done)
		Redirect(c, t.Path(id))
	}
}

// Moved ends a form post that moved a record to its next state: err goes to Fail; otherwise
// "<number>: <done>" is flashed and the answer goes back to the record's page, path.
func Moved(c *gin.Context, err error, number, done, path string) {
	if err != nil {
		Fail(c, err)
		return
	}
	Flash(c, "success", number+": "+done)
	Redirect(c, path)
}

// Record is a record's detail page: Load builds its view, Page renders it. Areas keep one per
// record type and use Show for GET /…/:id and Render to show the page again after a refused
// form post, with the form's errors put in by adjust.
type Record[V any] struct {
	Load func(c *gin.Context, id uuid.UUID) (V, error)
	Page func(c *gin.Context, v V) templ.Component
}

// Render loads the record, lets adjust change the view (nil for none) and writes the page.
func (r Record[V]) Render(c *gin.Context, status int, id uuid.UUID, adjust func(*V)) {
	v, err := r.Load(c, id)
	if err != nil {
		Fail(c, err)
		return
	}
	if adjust != nil {
		adjust(&v)
	}
	Render(c, status, r.Page(c, v))
}

// Show is the GET handler of the record named by the :id path parameter.
func (r Record[V]) Show(c *gin.Context) {
	id, err := IDParam(c, "id")
	if err != nil {
		Fail(c, err)
		return
	}
	r.Render(c, http.StatusOK, id, nil)
}
