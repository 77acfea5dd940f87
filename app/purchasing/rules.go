package purchasing

import (
	"slices"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/models"
)

// move is one way an order changes: the permission it needs at the order's store and the
// states it leaves from.
type move struct {
	perm string
	from []string
}

// moves are every order transition. The service runs them (transition, Receive, CloseShort,
// Delete) and Allowed reads the same table for the order page's buttons, so a button shows
// exactly when the action would be accepted.
var moves = map[string]move{
	"submit":  {PermCreate, []string{models.PODraft}},
	"approve": {PermApprove, []string{models.POSubmitted}},
	"reject":  {PermApprove, []string{models.POSubmitted}},
	"send":    {PermEdit, []string{models.POApproved}},
	"receive": {PermReceive, []string{models.POSent, models.POPartial}},
	"close":   {PermReceive, []string{models.POPartial}},
	"cancel":  {PermEdit, []string{models.PODraft, models.POSubmitted, models.POApproved, models.POSent}},
	"delete":  {PermDelete, []string{models.PODraft}},
	"edit":    {PermEdit, []string{models.PODraft}},
}

// Actions are what a person may do to an order now.
type Actions struct {
	Submit, Approve, Reject, Send, Receive, CloseShort, Cancel, Delete, EditLines bool
}

// Allowed is the order's rules for one person: each move's permission at the order's store and
// state, a draft needs a line to be submitted, and nobody approves or rejects the order they
// submitted (separation of duties; the approvals list asks the same in SQL, awaitingApproval).
func Allowed(actor models.Actor, po models.PurchaseOrder, lines int) Actions {
	may := func(name string) bool {
		m := moves[name]
		return slices.Contains(m.from, po.Status) && actor.CanAt(m.perm, po.StoreID)
	}
	return Actions{
		Submit:     may("submit") && lines > 0,
		Approve:    may("approve") && !submittedBy(actor, po),
		Reject:     may("reject") && !submittedBy(actor, po),
		Send:       may("send"),
		Receive:    may("receive"),
		CloseShort: may("close"),
		Cancel:     may("cancel"),
		Delete:     may("delete"),
		EditLines:  may("edit"),
	}
}

// awaitingApproval is Allowed's Approve in SQL, for the approvals list and its badge: submitted
// orders at stores where the actor may approve, not submitted by them.
func awaitingApproval(db *gorm.DB, actor models.Actor) *gorm.DB {
	m := moves["approve"]
	q := actor.ScopeQuery(db.Model(&models.PurchaseOrder{}), m.perm, "store_id").Where("status IN ?", m.from)
	if actor.UserID != uuid.Nil {
		q = q.Where("submitted_by IS DISTINCT FROM ?", actor.UserID)
	}
	return q
}

// submittedBy reports whether the actor submitted the order.
func submittedBy(actor models.Actor, po models.PurchaseOrder) bool {
	return po.SubmittedBy != nil && *po.SubmittedBy == actor.UserID
}

// selfApproval refuses an approval by the person who submitted the order.
func selfApproval(actor models.Actor, po models.PurchaseOrder) error {
	if po.Status == models.POSubmitted && submittedBy(actor, po) {
		return models.Forbidden("You submitted purchase order %s; someone else must approve it", po.Number)
	}
	return nil
}

// selfRejection refuses a rejection by the person who submitted the order: they cancel it.
func selfRejection(actor models.Actor, po models.PurchaseOrder) error {
	if po.Status == models.POSubmitted && submittedBy(actor, po) {
		return models.Forbidden("You submitted purchase order %s; cancel it rather than reject it", po.Number)
	}
	return nil
}
