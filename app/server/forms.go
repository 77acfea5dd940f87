package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

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

// RefusedOnPage ends a transition post whose refusal brings the record's own page back. Done,
// or failed for another reason, it answers as Moved does; refused with 422 or 409, an htmx post
// gets the refusal in words as its error (labels names the fields) and a page post is left to
// the caller, which renders the record with the returned status and reports true.
func RefusedOnPage(c *gin.Context, err error, labels func() map[string]string, number, done, path string) (int, bool) {
	status := Status(err)
	if err == nil || (status != http.StatusUnprocessableEntity && status != http.StatusConflict) {
		Moved(c, err, number, done, path)
		return 0, false
	}
	if IsHTMX(c) {
		kind := models.ErrValidation
		if status == http.StatusConflict {
			kind = models.ErrConflict
		}
		Fail(c, &models.Error{Kind: kind, Message: components.RefusalOf(err, Message(err), labels()).Text()})
		return 0, false
	}
	return status, true
}
