package catalog_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"backroom/app/catalog"
	"backroom/models"
	"backroom/models/dbtest"
)

// writes is a fresh database for the functions other areas write products through.
type writes struct {
	ctx context.Context
	db  *gorm.DB
}

func newWrites(t *testing.T) writes {
	t.Helper()
	_, _, db := dbtest.New(t)
	return writes{ctx: context.Background(), db: db}
}

// product inserts a live product with the given SKU, barcode ("" for none) and prices.
func (w writes) product(t *testing.T, sku, barcode string, sell, cost int64) models.Product {
	t.Helper()
	p := models.Product{SKU: sku, Name: sku, SellPrice: sell, CostPrice: cost,
		PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
	if barcode != "" {
		p.Barcode = &barcode
	}
	if err := w.db.Create(&p).Error; err != nil {
		t.Fatalf("insert product %s: %v", sku, err)
	}
	return p
}

// load reads a product back as it is in the database now.
func (w writes) load(t *testing.T, id uuid.UUID) models.Product {
	t.Helper()
	var p models.Product
	if err := w.db.Take(&p, "id = ?", id).Error; err != nil {
		t.Fatalf("read product %s: %v", id, err)
	}
	return p
}

// inTx runs fn in a transaction that commits when fn returns nil, as a caller's would.
func (w writes) inTx(fn func(tx *gorm.DB) error) error {
	return w.db.WithContext(w.ctx).Transaction(fn)
}

// fieldErr checks that err is of kind and carries msg on field.
func fieldErr(t *testing.T, err error, kind error, field, msg string) {
	t.Helper()
	var me *models.Error
	if !errors.Is(err, kind) || !errors.As(err, &me) {
		t.Fatalf("err = %v, want a %v error", err, kind)
	}
	if got := me.Fields[field]; len(got) != 1 || got[0] != msg {
		t.Fatalf("errors on %q = %v (all %v), want [%q]", field, got, me.Fields, msg)
	}
}

func TestSetCost(t *testing.T) {
	w := newWrites(t)
	p := w.product(t, "TEA", "", 900, 500)

	var old int64
	err := w.inTx(func(tx *gorm.DB) (err error) {
		old, err = catalog.SetCost(w.ctx, tx, p.ID, 650)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if old != 500 {
		t.Errorf("old cost = %d, want 500", old)
	}
	raised := w.load(t, p.ID)
	if raised.CostPrice != 650 || raised.SellPrice != 900 {
		t.Errorf("after SetCost: cost %d sell %d, want 650 and 900", raised.CostPrice, raised.SellPrice)
	}
	if !raised.UpdatedAt.After(p.UpdatedAt) {
		t.Errorf("updated_at did not move: %v then %v", p.UpdatedAt, raised.UpdatedAt)
	}

	t.Run("the same cost again writes nothing", func(t *testing.T) {
		err := w.inTx(func(tx *gorm.DB) (err error) {
			old, err = catalog.SetCost(w.ctx, tx, p.ID, 650)
			return err
		})
		if err != nil || old != 650 {
			t.Fatalf("SetCost = %d, %v; want 650, nil", old, err)
		}
		if got := w.load(t, p.ID).UpdatedAt; !got.Equal(raised.UpdatedAt) {
			t.Errorf("updated_at moved from %v to %v for an unchanged cost", raised.UpdatedAt, got)
		}
	})
	t.Run("a negative cost is refused", func(t *testing.T) {
		err := w.inTx(func(tx *gorm.DB) error {
			_, err := catalog.SetCost(w.ctx, tx, p.ID, -1)
			return err
		})
		fieldErr(t, err, models.ErrValidation, "costPrice", "must not be negative")
		if got := w.load(t, p.ID).CostPrice; got != 650 {
			t.Errorf("cost = %d after a refused negative cost, want 650", got)
		}
	})
	t.Run("an unknown product is not found", func(t *testing.T) {
		err := w.inTx(func(tx *gorm.DB) error {
			_, err := catalog.SetCost(w.ctx, tx, models.NewID(), 100)
			return err
		})
		if !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("err = %v, want not found", err)
		}
	})
}

func TestApplyChange(t *testing.T) {
	w := newWrites(t)
	owner := w.product(t, "OWNER", "4006381333931", 100, 50)
	p := w.product(t, "MUG", "111", 1200, 400)
	gone := w.product(t, "GONE", "222", 100, 50)
	if err := w.db.Exec("UPDATE products SET deleted_at = now() WHERE id = ?", gone.ID).Error; err != nil {
		t.Fatal(err)
	}
	apply := func(id uuid.UUID, c catalog.Change) (catalog.Changed, error) {
		var out catalog.Changed
		err := w.inTx(func(tx *gorm.DB) (err error) {
			out, err = catalog.ApplyChange(w.ctx, tx, id, c)
			return err
		})
		return out, err
	}
	price, cost, name := int64(1350), int64(400), "Mug, large"

	got, err := apply(p.ID, catalog.Change{SellPrice: &price, CostPrice: &cost, Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.FieldChange{{Field: "sell_price", Old: int64(1200), New: int64(1350)}, {Field: "name", Old: "MUG", New: "Mug, large"}}
	if !reflect.DeepEqual(got.Fields, want) {
		t.Errorf("fields = %#v, want %#v (the unchanged cost is no change)", got.Fields, want)
	}
	if got.Before.SellPrice != 1200 || got.Before.Name != "MUG" {
		t.Errorf("before = %+v, want the product as it was", got.Before)
	}
	if now := w.load(t, p.ID); now.SellPrice != 1350 || now.Name != "Mug, large" || now.CostPrice != 400 {
		t.Errorf("product now %+v", now)
	}

	t.Run("a barcode another live product has is refused", func(t *testing.T) {
		code := "4006381333931"
		_, err := apply(p.ID, catalog.Change{Barcode: &code})
		fieldErr(t, err, models.ErrConflict, "barcode", "another product has this barcode")
		if now := w.load(t, p.ID); now.Barcode == nil || *now.Barcode != "111" {
			t.Errorf("barcode = %v after a refused change, want 111", now.Barcode)
		}
	})
	t.Run("a deleted product's barcode is free", func(t *testing.T) {
		code := "222"
		got, err := apply(p.ID, catalog.Change{Barcode: &code})
		if err != nil {
			t.Fatal(err)
		}
		if want := []catalog.FieldChange{{Field: "barcode", Old: "111", New: "222"}}; !reflect.DeepEqual(got.Fields, want) {
			t.Errorf("fields = %#v, want %#v", got.Fields, want)
		}
	})
	t.Run("a product keeps its own barcode", func(t *testing.T) {
		code, was := "4006381333931", w.load(t, owner.ID)
		got, err := apply(owner.ID, catalog.Change{Barcode: &code})
		if err != nil || len(got.Fields) != 0 {
			t.Fatalf("ApplyChange = %+v, %v; want no change", got, err)
		}
		if now := w.load(t, owner.ID); !now.UpdatedAt.Equal(was.UpdatedAt) {
			t.Errorf("an unchanged product was written: updated_at %v then %v", was.UpdatedAt, now.UpdatedAt)
		}
	})
	t.Run("a negative price is refused", func(t *testing.T) {
		neg := int64(-5)
		_, err := apply(p.ID, catalog.Change{SellPrice: &neg})
		fieldErr(t, err, models.ErrValidation, "sellPrice", "must not be negative")
		if now := w.load(t, p.ID); now.SellPrice != 1350 {
			t.Errorf("sell price = %d after a refused change, want 1350", now.SellPrice)
		}
	})
	t.Run("ids and flags are recorded as strings and booleans", func(t *testing.T) {
		group, off := models.NewID(), false
		if err := w.db.Exec("INSERT INTO tax_groups (id, name, created_at, updated_at) VALUES (?, 'Food', now(), now())", group).Error; err != nil {
			t.Fatal(err)
		}
		got, err := apply(p.ID, catalog.Change{TaxGroupID: &group, IsActive: &off})
		if err != nil {
			t.Fatal(err)
		}
		want := []catalog.FieldChange{{Field: "tax_group_id", Old: "", New: group.String()}, {Field: "is_active", Old: true, New: false}}
		if !reflect.DeepEqual(got.Fields, want) {
			t.Errorf("fields = %#v, want %#v", got.Fields, want)
		}
		if now := w.load(t, p.ID); now.TaxGroupID == nil || *now.TaxGroupID != group || now.IsActive {
			t.Errorf("product now %+v", now)
		}
	})
	t.Run("a deleted product is not found", func(t *testing.T) {
		_, err := apply(gone.ID, catalog.Change{Name: &name})
		if !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("err = %v, want not found", err)
		}
	})
}

func TestAddProduct(t *testing.T) {
	w := newWrites(t)
	w.product(t, "JAM", "333", 500, 200)
	gone := w.product(t, "OLD", "444", 100, 50)
	if err := w.db.Exec("UPDATE products SET deleted_at = now() WHERE id = ?", gone.ID).Error; err != nil {
		t.Fatal(err)
	}
	add := func(sku, barcode string, sell, cost int64) (models.Product, error) {
		p := models.Product{SKU: sku, Name: "New " + sku, SellPrice: sell, CostPrice: cost,
			PurchaseUnitID: models.EachUnitID, ConsumptionUnitID: models.EachUnitID, TrackStock: true, IsActive: true}
		if barcode != "" {
			p.Barcode = &barcode
		}
		var out models.Product
		err := w.inTx(func(tx *gorm.DB) (err error) {
			out, err = catalog.AddProduct(w.ctx, tx, p)
			return err
		})
		return out, err
	}
	count := func() int64 {
		var n int64
		w.db.Model(&models.Product{}).Count(&n)
		return n
	}

	for _, tc := range []struct {
		name, sku, barcode string
		sell, cost         int64
		kind               error
		field, msg         string
	}{
		{"a taken SKU, in any case", "jam", "", 100, 0, models.ErrConflict, "sku", "another product has this SKU"},
		{"a deleted product's SKU", "old", "", 100, 0, models.ErrConflict, "sku", "another product has this SKU"},
		{"a live product's barcode", "TOAST", "333", 100, 0, models.ErrConflict, "barcode", "another product has this barcode"},
		{"a negative cost", "TOAST", "", 100, -1, models.ErrValidation, "costPrice", "must not be negative"},
		{"a price too large", "TOAST", "", 100_000_000_001, 0, models.ErrValidation, "sellPrice", "is too large"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			before := count()
			_, err := add(tc.sku, tc.barcode, tc.sell, tc.cost)
			fieldErr(t, err, tc.kind, tc.field, tc.msg)
			if n := count(); n != before {
				t.Errorf("%d products after a refused add, want %d", n, before)
			}
		})
	}

	got, err := add("TOAST", "444", 250, 90)
	if err != nil {
		t.Fatalf("a new SKU with a deleted product's barcode: %v", err)
	}
	if got.ID == uuid.Nil {
		t.Fatal("AddProduct returned no id")
	}
	if now := w.load(t, got.ID); now.SKU != "TOAST" || now.Barcode == nil || *now.Barcode != "444" || now.SellPrice != 250 || now.CostPrice != 90 {
		t.Errorf("added product %+v", now)
	}
}

func TestBulkWrites(t *testing.T) {
	w := newWrites(t)
	taken := w.product(t, "TAKEN", "555", 100, 50)
	code := "666"
	a, b := models.NewID(), models.NewID()
	err := w.inTx(func(tx *gorm.DB) error {
		return catalog.AddProducts(w.ctx, tx, []catalog.BulkProduct{
			{ID: a, SKU: "A", Name: "Apple", SellPrice: 120, Barcode: &code},
			{ID: b, SKU: "B", Name: "Banana", SellPrice: 80, IsActive: true},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := w.load(t, a), w.load(t, b)
	if pa.Name != "Apple" || pa.SellPrice != 120 || pa.Barcode == nil || *pa.Barcode != "666" || pa.IsActive || !pa.TrackStock || pa.PurchaseUnitID != models.EachUnitID {
		t.Errorf("added A = %+v", pa)
	}
	if pb.Barcode != nil || !pb.IsActive {
		t.Errorf("added B = %+v, want no barcode and active", pb)
	}

	err = w.inTx(func(tx *gorm.DB) error {
		return catalog.UpdateProducts(w.ctx, tx, []catalog.BulkProduct{
			{ID: a, Name: "Green apple", SellPrice: 130},
			{ID: b, Name: "Banana", SellPrice: 85, Barcode: &code},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	pa, pb = w.load(t, a), w.load(t, b)
	if pa.Name != "Green apple" || pa.SellPrice != 130 || pa.Barcode != nil {
		t.Errorf("updated A = %+v, want its barcode removed", pa)
	}
	if pb.SellPrice != 85 || pb.Barcode == nil || *pb.Barcode != "666" || pb.SKU != "B" {
		t.Errorf("updated B = %+v", pb)
	}

	t.Run("a taken barcode fails the statement with the unique violation", func(t *testing.T) {
		dup := "555"
		err := w.inTx(func(tx *gorm.DB) error {
			return catalog.UpdateProducts(w.ctx, tx, []catalog.BulkProduct{{ID: a, Name: "Green apple", SellPrice: 1, Barcode: &dup}})
		})
		if !models.IsUniqueViolation(err, "products_barcode_key") {
			t.Fatalf("err = %v, want products_barcode_key's violation", err)
		}
		if now := w.load(t, a); now.SellPrice != 130 {
			t.Errorf("sell price = %d after a failed update, want 130", now.SellPrice)
		}
		if now := w.load(t, taken.ID); now.Barcode == nil || *now.Barcode != "555" {
			t.Errorf("the owner lost its barcode: %+v", now)
		}
	})
	t.Run("a negative price is refused before writing", func(t *testing.T) {
		err := w.inTx(func(tx *gorm.DB) error {
			return catalog.UpdateProducts(w.ctx, tx, []catalog.BulkProduct{{ID: a, Name: "A"}, {ID: b, Name: "B", SellPrice: -1}})
		})
		fieldErr(t, err, models.ErrValidation, "[1].sellPrice", "must not be negative")
	})
}
