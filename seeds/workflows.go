package seeds

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/inventory"
	"backroom/app/pricing"
	"backroom/app/purchasing"
	"backroom/app/transfers"
	"backroom/models"
)

// The back-office demo runs after the catalogue and opening stock (this file's name sorts after
// theirs): purchase orders in several states, worksheets, a special, a store price and a transfer,
// all made through the services so their audit trails read like real use. Each part runs only
// when its table is still empty, so seeding twice changes nothing.
func init() { extraSeeders = append(extraSeeders, seedWorkflows) }

func seedWorkflows(ctx context.Context, tx *gorm.DB) error {
	stores := map[string]models.Store{}
	var list []models.Store
	if err := tx.WithContext(ctx).Where("code IN ?", []string{"S001", "S002"}).Find(&list).Error; err != nil {
		return err
	}
	for _, s := range list {
		stores[s.Code] = s
	}
	// Products past the first 30 SKUs: those carry the opening stock other demo data and tests
	// rely on, so these workflows leave their levels alone.
	var products []models.Product
	if err := tx.WithContext(ctx).Where("deleted_at IS NULL AND is_active AND track_stock").Order("sku").Offset(30).Limit(12).Find(&products).Error; err != nil {
		return err
	}
	if len(stores) < 2 || len(products) < 12 {
		return nil // no catalogue or stores seeded: nothing to build on
	}
	for _, step := range []func(context.Context, *gorm.DB, map[string]models.Store, []models.Product) error{
		seedPurchaseOrders, seedWorksheets, seedSpecialsAndPrices, seedTransfers,
	} {
		if err := step(ctx, tx, stores, products); err != nil {
			return err
		}
	}
	return nil
}

func empty(ctx context.Context, tx *gorm.DB, table string) (bool, error) {
	var n int64
	err := tx.WithContext(ctx).Table(table).Count(&n).Error
	return n == 0, err
}

// preferredSupplier is the supplier most of these products come from.
func preferredSupplier(ctx context.Context, tx *gorm.DB, p models.Product) (uuid.UUID, error) {
	var ids []uuid.UUID
	err := tx.WithContext(ctx).Model(&models.ProductSupplier{}).Where("product_id = ? AND is_preferred", p.ID).Pluck("supplier_id", &ids).Error
	if err != nil || len(ids) == 0 {
		return uuid.Nil, err
	}
	return ids[0], nil
}

func seedPurchaseOrders(ctx context.Context, tx *gorm.DB, stores map[string]models.Store, products []models.Product) error {
	if ok, err := empty(ctx, tx, "purchase_orders"); !ok || err != nil {
		return err
	}
	svc := purchasing.New(tx, inventory.NewLedger())
	sys := models.System
	supplier, err := preferredSupplier(ctx, tx, products[0])
	if err != nil || supplier == uuid.Nil {
		return err
	}
	line := func(ps ...models.Product) []purchasing.ItemInput {
		var out []purchasing.ItemInput
		for i, p := range ps {
			out = append(out, purchasing.ItemInput{ProductID: p.ID, Quantity: int64(6+6*i) * 1000})
		}
		return out
	}
	// A draft at S002, a submitted order waiting for the S001 manager, and a sent order at S001
	// that is partly received (the transfer demo sends some of it on to S002).
	if _, err := svc.Create(ctx, sys, purchasing.CreateInput{SupplierID: supplier, StoreID: stores["S002"].ID, Notes: "Weekly top-up", Items: line(products[0], products[1])}); err != nil {
		return fmt.Errorf("seed draft PO: %w", err)
	}
	waiting, err := svc.Create(ctx, sys, purchasing.CreateInput{SupplierID: supplier, StoreID: stores["S001"].ID, Notes: "Promotion stock", Items: line(products[2], products[3], products[4])})
	if err != nil {
		return fmt.Errorf("seed submitted PO: %w", err)
	}
	if _, err := svc.Submit(ctx, sys, waiting.ID); err != nil {
		return err
	}
	sent, err := svc.Create(ctx, sys, purchasing.CreateInput{SupplierID: supplier, StoreID: stores["S001"].ID, Items: line(products[5], products[6])})
	if err != nil {
		return fmt.Errorf("seed sent PO: %w", err)
	}
	for _, step := range []func(context.Context, models.Actor, uuid.UUID) (purchasing.Detail, error){svc.Submit, svc.Approve, svc.Send} {
		if _, err := step(ctx, sys, sent.ID); err != nil {
			return err
		}
	}
	_, err = svc.Receive(ctx, sys, sent.ID, purchasing.ReceiveInput{Items: []purchasing.ReceiveLine{{ItemID: sent.Items[0].ID, QuantityReceived: 4000}}})
	// Suggest an order too, when something of this supplier is under its reorder point.
	if err == nil {
		_, err = svc.Suggest(ctx, sys, purchasing.SuggestInput{SupplierID: supplier, StoreID: stores["S001"].ID})
		if errors.Is(err, models.ErrValidation) {
			err = nil
		}
	}
	return err
}

func seedWorksheets(ctx context.Context, tx *gorm.DB, stores map[string]models.Store, products []models.Product) error {
	if ok, err := empty(ctx, tx, "worksheets"); !ok || err != nil {
		return err
	}
	svc := pricing.New(tx)
	sys := models.System
	price := func(p models.Product, pct int64) *int64 { v := p.SellPrice * pct / 100; return &v }
	ids := func(ps ...models.Product) []pricing.WorksheetItemInput {
		var out []pricing.WorksheetItemInput
		for _, p := range ps {
			pid := p.ID
			out = append(out, pricing.WorksheetItemInput{ProductID: &pid, NewSellPrice: price(p, 105)})
		}
		return out
	}
	if _, err := svc.CreateWorksheet(ctx, sys, pricing.WorksheetInput{Type: models.WSPriceChange, Description: "Supplier price rise: +5%", Items: ids(products[7], products[8], products[9])}); err != nil {
		return fmt.Errorf("seed draft worksheet: %w", err)
	}
	w, err := svc.CreateWorksheet(ctx, sys, pricing.WorksheetInput{Type: models.WSPriceChange, Description: "Downtown competitor match",
		StoreIDs: []uuid.UUID{stores["S001"].ID}, Items: ids(products[10])})
	if err != nil {
		return fmt.Errorf("seed store worksheet: %w", err)
	}
	_, err = svc.SubmitWorksheet(ctx, sys, w.ID)
	return err
}

func seedSpecialsAndPrices(ctx context.Context, tx *gorm.DB, stores map[string]models.Store, products []models.Product) error {
	if ok, err := empty(ctx, tx, "specials"); !ok || err != nil {
		return err
	}
	svc := pricing.New(tx)
	now := time.Now().In(stores["S001"].Location())
	start := now.AddDate(0, 0, -now.Day()+1)
	end := start.AddDate(0, 1, -1)
	p := products[11]
	if _, err := svc.CreateSpecial(ctx, models.System, pricing.SpecialInput{ProductID: p.ID, SpecialPrice: p.SellPrice * 80 / 100,
		StartDate: start.Format(models.DateLayout), EndDate: end.Format(models.DateLayout), Description: "Deal of the month"}); err != nil {
		return fmt.Errorf("seed special: %w", err)
	}
	_, err := svc.UpsertStorePrice(ctx, models.System, pricing.StorePriceInput{StoreID: stores["S002"].ID, ProductID: products[1].ID, Price: products[1].SellPrice + 50})
	return err
}

func seedTransfers(ctx context.Context, tx *gorm.DB, stores map[string]models.Store, products []models.Product) error {
	if ok, err := empty(ctx, tx, "transfers"); !ok || err != nil {
		return err
	}
	svc := transfers.New(tx, inventory.NewLedger())
	t, err := svc.Create(ctx, models.System, transfers.CreateInput{FromStoreID: stores["S001"].ID, ToStoreID: stores["S002"].ID, Notes: "Rebalance slow sellers",
		Items: []transfers.ItemInput{{ProductID: products[5].ID, Quantity: 2000}}})
	if err != nil {
		return fmt.Errorf("seed transfer: %w", err)
	}
	_, err = svc.Send(ctx, models.System, t.ID, transfers.SendInput{TrackingNote: "Van 2, Tuesday run"})
	return err
}
