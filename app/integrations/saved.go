package integrations

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
)

// OnSaved is implemented by connectors that act on the outside system when an integration is
// saved (miPOS registers its webhook URL when enabled). It runs after the save committed; an
// error is the connector's to record and show, it never undoes the save.
type OnSaved interface {
	Saved(ctx context.Context, in *Instance) error
}

// saved tells the integration's connector it was saved, if the connector wants to know.
func (s *Service) saved(ctx context.Context, id uuid.UUID) {
	in, c, err := s.Instance(ctx, s.db, id)
	if err != nil {
		slog.ErrorContext(ctx, "load saved integration", "integration", id, "err", err)
		return
	}
	hook, ok := c.(OnSaved)
	if !ok {
		return
	}
	// The person saving waits for this; a slow outside system must not hold the page for long.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := hook.Saved(ctx, in); err != nil {
		slog.WarnContext(ctx, "integration saved hook failed", "integration", id, "kind", in.Kind, "err", err)
	}
}
