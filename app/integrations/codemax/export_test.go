package codemax

import (
	"context"

	"gorm.io/gorm"

	"backroom/app/integrations"
)

// Progress is what a run reports to, for tests that run the connector without a run row.
type Progress = progress

// RunWith runs the connector reporting to p, as two overlapping runs would; the service itself
// never lets one integration run twice at once, so only a test can.
func RunWith(ctx context.Context, c *Connector, in *integrations.Instance, db *gorm.DB, p Progress) error {
	return c.run(ctx, in, db, nil, p)
}
