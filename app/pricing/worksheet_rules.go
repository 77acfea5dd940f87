package pricing

import (
	"slices"

	"backroom/models"
)

// wsMove is one way a worksheet changes: the permission it needs at every target store (HQ-wide
// for a chain-wide worksheet) and the states it leaves from.
type wsMove struct {
	perm string
	from []string
}

// wsMoves are every worksheet transition and edit. The service runs them (wsTransition, the
// edits, delete, apply) and WorksheetAllowed reads the same table for the page's buttons.
var wsMoves = map[string]wsMove{
	"edit":    {PermWSCreate, []string{models.WSDraft}},
	"submit":  {PermWSSubmit, []string{models.WSDraft}},
	"approve": {PermWSApprove, []string{models.WSSubmitted}},
	"reject":  {PermWSApprove, []string{models.WSSubmitted}},
	"apply":   {PermWSApply, []string{models.WSApproved}},
	"delete":  {PermWSDelete, []string{models.WSDraft}},
}

// WSActions are what a person may do to a worksheet now.
type WSActions struct {
	Edit, Submit, Approve, Reject, Apply, Delete bool
}

// WorksheetAllowed is the worksheet's rules for one person: each move's permission at the
// worksheet's stores and state, a draft needs a line to be submitted, and an approved worksheet
// applies once its effective date has come (due).
func WorksheetAllowed(actor models.Actor, w models.Worksheet, due bool) WSActions {
	may := func(name string) bool {
		m := wsMoves[name]
		return slices.Contains(m.from, w.Status) && canFor(actor, m.perm, w.StoreIDs)
	}
	return WSActions{
		Edit:    may("edit"),
		Submit:  may("submit") && len(w.Items) > 0,
		Approve: may("approve"),
		Reject:  may("reject"),
		Apply:   may("apply") && due,
		Delete:  may("delete"),
	}
}
