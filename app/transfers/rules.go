package transfers

import (
	"slices"

	"github.com/google/uuid"

	"backroom/models"
)

// trMove is one way a transfer changes: the permission it needs, at the sending or the
// receiving store, and the states it leaves from.
type trMove struct {
	perm     string
	atSender bool // the permission is needed at the sending store (else the receiving one)
	from     []string
}

// trMoves are every transfer transition. The service runs them (Send, Cancel, Receive) and
// Allowed reads the same table for the transfer page's buttons.
var trMoves = map[string]trMove{
	"send":    {PermSend, true, []string{models.TransferPending}},
	"cancel":  {PermCreate, true, []string{models.TransferPending, models.TransferInTransit}},
	"receive": {PermReceive, false, []string{models.TransferInTransit}},
}

// store is the store whose permission a move of t needs, and what the message calls it.
func (m trMove) store(t models.Transfer) (uuid.UUID, string) {
	if m.atSender {
		return t.FromStoreID, "sending"
	}
	return t.ToStoreID, "receiving"
}

// Actions are what a person may do to a transfer now.
type Actions struct{ Send, Receive, Cancel bool }

// Allowed is the transfer's rules for one person: each move's permission at its store and state.
func Allowed(actor models.Actor, t models.Transfer) Actions {
	may := func(name string) bool {
		m := trMoves[name]
		store, _ := m.store(t)
		return slices.Contains(m.from, t.Status) && actor.CanAt(m.perm, store)
	}
	return Actions{Send: may("send"), Receive: may("receive"), Cancel: may("cancel")}
}

// need refuses a move of t by a person without its permission at its store.
func need(a models.Actor, name string, t models.Transfer) func(models.Transfer) error {
	m := trMoves[name]
	store, what := m.store(t)
	return func(models.Transfer) error {
		if !a.CanAt(m.perm, store) {
			return models.Forbidden("You need the %s permission at the %s store", m.perm, what)
		}
		return nil
	}
}
