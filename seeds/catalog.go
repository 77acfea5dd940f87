package seeds

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"backroom/app/catalog"
	"backroom/models"
)

func init() { extraSeeders = append(extraSeeders, seedCatalog, seedTenders) }

// The demo catalogue: about 200 products in 14 departments (some nested), taxed through four
// groups, each bought from a preferred supplier. Everything is derived from the tables below,
// so every run produces the same SKUs, barcodes and prices.

type seedRate struct {
	code, name string
	rate       int64
	compound   bool
}

var demoTaxRates = []seedRate{
	{"ST", "State Tax", 825, false},
	{"CT", "City Tax", 100, false},
	{"FOOD", "Reduced Food Tax", 200, false},
	{"LUX", "Luxury Tax", 200, true},
}

var demoTaxGroups = []struct {
	name, description string
	rates             []string // codes in the order they apply
}{
	{"Standard", "State and city sales tax", []string{"ST", "CT"}},
	{"Food", "Groceries at the reduced rate", []string{"FOOD"}},
	{"Exempt", "No sales tax", nil},
	{"Luxury", "Standard taxes plus the compound luxury tax", []string{"ST", "CT", "LUX"}},
}

var demoUnits = []struct{ name, short string }{
	{"Case of 12", "cs12"}, {"Case of 24", "cs24"}, {"Pack of 6", "pk6"}, {"Kilogram", "kg"}, {"Litre", "L"},
}

var demoSuppliers = []models.Supplier{
	{Name: "Acme Wholesale", ContactName: "Dana Reyes", Email: "orders@acme-wholesale.example", Phone: "555-0201", Address: "400 Industrial Way, Springfield"},
	{Name: "Fresh Farms Dairy", ContactName: "Sam Holt", Email: "sales@freshfarms.example", Phone: "555-0202", Address: "12 County Road, Shelbyville"},
	{Name: "Golden Crust Bakery", ContactName: "Priya Nair", Email: "wholesale@goldencrust.example", Phone: "555-0203", Address: "9 Baker Street, Springfield"},
	{Name: "Green Valley Produce", ContactName: "Luis Ortega", Email: "orders@greenvalley.example", Phone: "555-0204", Address: "Farm Lane 3, Capital City"},
	{Name: "Pacific Beverage Co.", ContactName: "Kim Park", Email: "trade@pacificbev.example", Phone: "555-0205", Address: "77 Harbor Drive, Ogdenville"},
	{Name: "CleanCo Supplies", ContactName: "Alex Morgan", Email: "sales@cleanco.example", Phone: "555-0206", Address: "18 Commerce Park, Springfield"},
	{Name: "Brightline Electronics", ContactName: "Jordan Lee", Email: "b2b@brightline.example", Phone: "555-0207", Address: "5 Tech Boulevard, North Haverbrook"},
	{Name: "Vintner Imports", ContactName: "Claire Dubois", Email: "orders@vintner.example", Phone: "555-0208", Address: "21 Cellar Row, Springfield"},
}

var supplierCodes = map[string]string{
	"Acme Wholesale": "ACME", "Fresh Farms Dairy": "FFD", "Golden Crust Bakery": "GCB", "Green Valley Produce": "GVP",
	"Pacific Beverage Co.": "PBC", "CleanCo Supplies": "CLN", "Brightline Electronics": "BRT", "Vintner Imports": "VIN",
}

type seedItem struct {
	name  string
	price int64 // cents, for the base size
}

type seedSize struct {
	label string
	pct   int64 // price relative to the base size, in percent
}

type seedLine struct {
	sizes []seedSize // none: the item as named
	items []seedItem
}

type seedDept struct {
	code, name, parent string
	tax, supplier      string
	costPct            int64
	buyUnit, sellUnit  string // "" is Each
	lines              []seedLine
}

func items(pairs ...any) []seedItem {
	out := make([]seedItem, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, seedItem{pairs[i].(string), int64(pairs[i+1].(int))})
	}
	return out
}

var demoDepartments = []seedDept{
	{code: "GRO", name: "Grocery"},
	{code: "PRO", name: "Produce", parent: "Grocery", tax: "Food", supplier: "Green Valley Produce", costPct: 55, buyUnit: "Kilogram", sellUnit: "Kilogram",
		lines: []seedLine{{items: items("Bananas", 149, "Gala Apples", 429, "Granny Smith Apples", 449, "Navel Oranges", 389, "Lemons", 519, "Red Grapes", 659,
			"Vine Tomatoes", 499, "Yellow Onions", 219, "Russet Potatoes", 199, "Carrots", 249, "Broccoli", 479, "Red Bell Peppers", 689)}}},
	{code: "DAI", name: "Dairy", parent: "Grocery", tax: "Food", supplier: "Fresh Farms Dairy", costPct: 68,
		lines: []seedLine{
			{sizes: []seedSize{{"Half Gallon", 100}, {"Gallon", 170}}, items: items("Whole Milk", 349, "2% Reduced Fat Milk", 339, "Skim Milk", 329, "Chocolate Milk", 399, "Oat Milk", 449, "Almond Milk", 429)},
			{items: items("Cheddar Cheese 8 oz", 449, "Mozzarella 16 oz", 599, "Salted Butter 1 lb", 549, "Unsalted Butter 1 lb", 549, "Greek Yogurt Plain 32 oz", 649,
				"Vanilla Yogurt 6 oz", 129, "Sour Cream 16 oz", 279, "Cottage Cheese 24 oz", 429)},
		}},
	{code: "BAK", name: "Bakery", parent: "Grocery", tax: "Exempt", supplier: "Golden Crust Bakery", costPct: 55,
		lines: []seedLine{{items: items("White Sandwich Bread", 299, "Whole Wheat Bread", 349, "Sourdough Loaf", 499, "Rye Bread", 429, "Multigrain Bread", 449,
			"Bagels 6-Pack", 399, "English Muffins 6-Pack", 349, "Croissants 4-Pack", 549, "Blueberry Muffins 4-Pack", 599, "Chocolate Chip Cookies 12-Pack", 449,
			"Cinnamon Rolls 4-Pack", 599, "Dinner Rolls 12-Pack", 379, "Hamburger Buns 8-Pack", 329, "Hot Dog Buns 8-Pack", 319, "Flour Tortillas 10-Pack", 299, "Pita Bread 6-Pack", 279)}}},
	{code: "PAN", name: "Pantry", parent: "Grocery", tax: "Food", supplier: "Acme Wholesale", costPct: 62,
		lines: []seedLine{{items: items("Spaghetti 1 lb", 179, "Penne 1 lb", 179, "Elbow Macaroni 1 lb", 169, "Marinara Sauce 24 oz", 349, "Long Grain Rice 2 lb", 299,
			"Basmati Rice 2 lb", 499, "Black Beans 15 oz", 129, "Chickpeas 15 oz", 139, "Kidney Beans 15 oz", 129, "Diced Tomatoes 28 oz", 219, "Chicken Noodle Soup", 269,
			"Tomato Soup", 199, "Creamy Peanut Butter 16 oz", 349, "Strawberry Jam 18 oz", 399, "Clover Honey 12 oz", 599, "Extra Virgin Olive Oil 500 ml", 899,
			"Canola Oil 48 oz", 549, "All-Purpose Flour 5 lb", 449, "Granulated Sugar 4 lb", 399, "Sea Salt 26 oz", 229, "Ground Black Pepper 4 oz", 449,
			"Rolled Oats 42 oz", 549, "Corn Flakes 18 oz", 429, "Honey Almond Granola 16 oz", 599)}}},
	{code: "FRZ", name: "Frozen", parent: "Grocery", tax: "Food", supplier: "Acme Wholesale", costPct: 60,
		lines: []seedLine{{items: items("Pepperoni Pizza 12 in", 699, "Cheese Pizza 12 in", 649, "Frozen Peas 16 oz", 199, "Mixed Vegetables 16 oz", 219, "Sweet Corn 16 oz", 199,
			"French Fries 32 oz", 449, "Vanilla Ice Cream 48 oz", 599, "Chocolate Ice Cream 48 oz", 599, "Chicken Nuggets 2 lb", 899, "Fish Sticks 24 oz", 749,
			"Buttermilk Waffles 10-Pack", 379, "Bean & Cheese Burritos 8-Pack", 799)}}},
	{code: "BEV", name: "Beverages", tax: "Standard", supplier: "Pacific Beverage Co.", costPct: 58,
		lines: []seedLine{{items: items("Orange Juice 52 oz", 449, "Apple Juice 64 oz", 399, "Cranberry Juice 64 oz", 429, "Sports Drink 28 oz", 199,
			"Energy Drink 16 oz", 299, "Spring Water 24-Pack", 599, "Coconut Water 1 L", 449, "Lemonade 52 oz", 349)}}},
	{code: "SFT", name: "Soft Drinks", parent: "Beverages", tax: "Standard", supplier: "Pacific Beverage Co.", costPct: 55, buyUnit: "Case of 24",
		lines: []seedLine{{sizes: []seedSize{{"12 oz Can", 100}, {"2 L Bottle", 230}, {"6-Pack Cans", 450}},
			items: items("Cola", 119, "Diet Cola", 119, "Lemon-Lime Soda", 119, "Root Beer", 119, "Orange Soda", 119, "Ginger Ale", 119, "Sparkling Water", 109, "Lemon Iced Tea", 129)}}},
	{code: "COF", name: "Coffee & Tea", parent: "Beverages", tax: "Food", supplier: "Pacific Beverage Co.", costPct: 58,
		lines: []seedLine{
			{sizes: []seedSize{{"12 oz", 100}, {"2 lb", 230}}, items: items("Breakfast Blend Ground Coffee", 999, "French Roast Whole Bean Coffee", 1099, "Colombian Ground Coffee", 1049, "Decaf Ground Coffee", 999)},
			{items: items("English Breakfast Tea 20 ct", 449, "Green Tea 20 ct", 449, "Chamomile Tea 20 ct", 449, "Earl Grey Tea 20 ct", 479, "Instant Coffee 8 oz", 899, "Coffee Pods 24 ct", 1699)},
		}},
	{code: "HOU", name: "Household", tax: "Standard", supplier: "Acme Wholesale", costPct: 50,
		lines: []seedLine{{items: items("Aluminum Foil 75 sq ft", 499, "Plastic Wrap 200 sq ft", 399, "Zip Bags Gallon 30 ct", 449, "Paper Plates 100 ct", 699, "Plastic Cups 50 ct", 399,
			"Paper Napkins 250 ct", 449, "Scented Candles 3-Pack", 999, "LED Light Bulbs 4-Pack", 1299, "Kitchen Matches 10 Boxes", 299, "Storage Containers 10-Pack", 1199)}}},
	{code: "CLN", name: "Cleaning", parent: "Household", tax: "Standard", supplier: "CleanCo Supplies", costPct: 58,
		lines: []seedLine{{items: items("Dish Soap 24 oz", 349, "Dishwasher Pods 40 ct", 1299, "Laundry Detergent 100 oz", 1399, "Fabric Softener 64 oz", 699, "Bleach 81 oz", 499,
			"All-Purpose Cleaner 32 oz", 399, "Glass Cleaner 32 oz", 379, "Disinfecting Wipes 75 ct", 549, "Paper Towels 6 Rolls", 999, "Toilet Paper 12 Rolls", 1299,
			"Trash Bags 13 gal 40 ct", 1099, "Sponges 6-Pack", 399, "Scrub Brush", 499, "Mop Refill", 899)}}},
	{code: "HBA", name: "Health & Beauty", tax: "Standard", supplier: "Acme Wholesale", costPct: 52,
		lines: []seedLine{{items: items("Shampoo 12 oz", 599, "Conditioner 12 oz", 599, "Body Wash 18 oz", 649, "Bar Soap 4-Pack", 499, "Toothpaste 6 oz", 399, "Toothbrush 2-Pack", 449,
			"Dental Floss", 279, "Mouthwash 1 L", 699, "Deodorant 2.6 oz", 549, "Hand Lotion 16 oz", 749, "Sunscreen SPF 30", 899, "Lip Balm 2-Pack", 399,
			"Cotton Swabs 500 ct", 399, "Adhesive Bandages 30 ct", 449, "Pain Reliever 100 ct", 899, "Allergy Relief 30 ct", 1299)}}},
	{code: "ELE", name: "Electronics", tax: "Standard", supplier: "Brightline Electronics", costPct: 65,
		lines: []seedLine{{items: items("AA Batteries 8-Pack", 999, "AAA Batteries 8-Pack", 999, "9V Batteries 2-Pack", 899, "USB-C Cable 6 ft", 1499, "Lightning Cable 3 ft", 1499,
			"Wall Charger 20W", 1999, "Dual USB Car Charger", 1499, "Wireless Earbuds", 3999, "Wired Headphones", 1299, "Power Bank 10000 mAh", 2999,
			"HDMI Cable 6 ft", 1299, "Phone Stand", 999, "Bluetooth Speaker", 3499, "Memory Card 64 GB", 1799)}}},
	{code: "WIN", name: "Wine & Spirits", tax: "Luxury", supplier: "Vintner Imports", costPct: 60, buyUnit: "Case of 12",
		lines: []seedLine{
			{sizes: []seedSize{{"750 ml", 100}, {"1.5 L", 180}}, items: items("Cabernet Sauvignon", 1499, "Merlot", 1299, "Pinot Noir", 1699, "Chardonnay", 1399,
				"Sauvignon Blanc", 1299, "Pinot Grigio", 1199, "Dry Rosé", 1299, "Prosecco", 1599)},
			{items: items("Vodka 750 ml", 1999, "London Dry Gin 750 ml", 2499, "Dark Rum 750 ml", 1899, "Kentucky Bourbon 750 ml", 2999, "Tequila Blanco 750 ml", 2799, "Scotch Whisky 750 ml", 3499)},
		}},
}

// sizedPrice scales a base price to a size and ends it in 9 cents like a shelf price.
func sizedPrice(base, pct int64) int64 {
	if pct == 100 {
		return base
	}
	p := (base*pct/100 + 5) / 10 * 10
	return p - 1
}

// demoProduct is one generated demo product.
type demoProduct struct {
	SKU, Barcode, Name string
	Dept               *seedDept
	Price, Cost        int64
}

// demoProducts lists the demo catalogue's products in a fixed order.
func demoProducts() []demoProduct {
	var out []demoProduct
	n := 0
	for i := range demoDepartments {
		d := &demoDepartments[i]
		seq := 0
		for _, l := range d.lines {
			sizes := l.sizes
			if len(sizes) == 0 {
				sizes = []seedSize{{"", 100}}
			}
			for _, it := range l.items {
				for _, sz := range sizes {
					seq++
					n++
					name := it.name
					if sz.label != "" {
						name += " " + sz.label
					}
					price := sizedPrice(it.price, sz.pct)
					out = append(out, demoProduct{
						SKU:     fmt.Sprintf("%s-%03d", d.code, seq),
						Barcode: catalog.EAN13(fmt.Sprintf("200%09d", n)), // 2xx: GS1's in-store range
						Name:    name, Dept: d, Price: price, Cost: (price*d.costPct + 50) / 100,
					})
				}
			}
		}
	}
	return out
}

func seedCatalog(ctx context.Context, tx *gorm.DB) error {
	tx = tx.WithContext(ctx)
	units := map[string]uuid.UUID{"": models.EachUnitID}
	for _, u := range demoUnits {
		row := models.Unit{Name: u.name, ShortName: u.short, IsActive: true}
		if err := tx.Where("lower(name) = lower(?)", u.name).Attrs(row).FirstOrCreate(&row).Error; err != nil {
			return fmt.Errorf("seed unit %s: %w", u.name, err)
		}
		units[u.name] = row.ID
	}
	rates := map[string]uuid.UUID{}
	for _, r := range demoTaxRates {
		code := r.code
		row := models.TaxRate{Code: &code, Name: r.name, Rate: r.rate, IsCompound: r.compound, IsActive: true}
		if err := tx.Where("lower(name) = lower(?)", r.name).Attrs(row).FirstOrCreate(&row).Error; err != nil {
			return fmt.Errorf("seed tax rate %s: %w", r.name, err)
		}
		rates[r.code] = row.ID
	}
	groups := map[string]uuid.UUID{}
	for _, g := range demoTaxGroups {
		row := models.TaxGroup{Name: g.name, Description: g.description}
		res := tx.Omit("Rates").Where("lower(name) = lower(?)", g.name).Attrs(row).FirstOrCreate(&row)
		if res.Error != nil {
			return fmt.Errorf("seed tax group %s: %w", g.name, res.Error)
		}
		groups[g.name] = row.ID
		if res.RowsAffected == 0 {
			continue // existing group: its rates are whatever people made them
		}
		for i, code := range g.rates {
			link := models.TaxGroupRate{TaxGroupID: row.ID, TaxRateID: rates[code], SortOrder: i}
			if err := tx.Omit("TaxRate").Create(&link).Error; err != nil {
				return fmt.Errorf("seed tax group %s rates: %w", g.name, err)
			}
		}
	}
	suppliers := map[string]uuid.UUID{}
	for _, sp := range demoSuppliers {
		code := supplierCodes[sp.Name]
		sp.Code, sp.IsActive = &code, true
		if err := tx.Where("lower(name) = lower(?)", sp.Name).Attrs(sp).FirstOrCreate(&sp).Error; err != nil {
			return fmt.Errorf("seed supplier %s: %w", sp.Name, err)
		}
		suppliers[sp.Name] = sp.ID
	}
	depts := map[string]uuid.UUID{}
	for _, d := range demoDepartments {
		code := d.code
		row := models.Department{Code: &code, Name: d.name, IsActive: true}
		q := tx.Where("lower(name) = lower(?)", d.name)
		if d.parent != "" {
			pid := depts[d.parent]
			row.ParentID = &pid
			q = q.Where("parent_id = ?", pid)
		} else {
			q = q.Where("parent_id IS NULL")
		}
		if err := q.Attrs(row).FirstOrCreate(&row).Error; err != nil {
			return fmt.Errorf("seed department %s: %w", d.name, err)
		}
		depts[d.name] = row.ID
	}
	return seedProducts(tx, demoProducts(), depts, groups, units, suppliers)
}

// seedProducts inserts the products that are missing (by SKU) in batches, then links each to
// its department's supplier as preferred and every third one to Acme Wholesale as well.
func seedProducts(tx *gorm.DB, list []demoProduct, depts, groups, units, suppliers map[string]uuid.UUID) error {
	var have []string
	if err := tx.Model(&models.Product{}).Pluck("lower(sku)", &have).Error; err != nil {
		return err
	}
	existing := map[string]bool{}
	for _, s := range have {
		existing[s] = true
	}
	var rows []models.Product
	for _, p := range list {
		if existing[strings.ToLower(p.SKU)] {
			continue
		}
		dep, barcode := depts[p.Dept.name], p.Barcode
		row := models.Product{SKU: p.SKU, Barcode: &barcode, Name: p.Name, DepartmentID: &dep,
			CostPrice: p.Cost, SellPrice: p.Price, PurchaseUnitID: units[p.Dept.buyUnit], ConsumptionUnitID: units[p.Dept.sellUnit],
			TrackStock: true, IsActive: true}
		if g, ok := groups[p.Dept.tax]; ok {
			row.TaxGroupID = &g
		}
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 100).Error; err != nil {
			return fmt.Errorf("seed products: %w", err)
		}
	}
	skus := make([]string, len(list))
	for i, p := range list {
		skus[i] = p.SKU
	}
	var ids []struct {
		ID  uuid.UUID
		SKU string
	}
	if err := tx.Model(&models.Product{}).Select("id, sku").Where("sku IN ?", skus).Scan(&ids).Error; err != nil {
		return err
	}
	byKey := map[string]uuid.UUID{}
	for _, r := range ids {
		byKey[r.SKU] = r.ID
	}
	acme := suppliers["Acme Wholesale"]
	var links []models.ProductSupplier
	for i, p := range list {
		pid, ok := byKey[p.SKU]
		if !ok {
			continue
		}
		sid := suppliers[p.Dept.supplier]
		links = append(links, models.ProductSupplier{ProductID: pid, SupplierID: sid, IsPreferred: true,
			SupplierSKU: supplierCodes[p.Dept.supplier] + "-" + p.SKU, Cost: p.Cost})
		if i%3 == 0 && sid != acme {
			links = append(links, models.ProductSupplier{ProductID: pid, SupplierID: acme,
				SupplierSKU: "ACME-" + p.SKU, Cost: p.Cost + p.Cost/20})
		}
	}
	if err := tx.Omit("Supplier").Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&links, 200).Error; err != nil {
		return fmt.Errorf("seed supplier links: %w", err)
	}
	return nil
}

// seedTenders adds the two tenders every till needs. The store-operations area manages them.
func seedTenders(ctx context.Context, tx *gorm.DB) error {
	for i, t := range []models.Tender{{Code: "CASH", Name: "Cash", Type: "CASH"}, {Code: "CARD", Name: "Card", Type: "CARD"}} {
		t.IsActive, t.SortOrder = true, i+1
		if err := tx.WithContext(ctx).Where("upper(code) = upper(?)", t.Code).Attrs(t).FirstOrCreate(&t).Error; err != nil {
			return fmt.Errorf("seed tender %s: %w", t.Code, err)
		}
	}
	return nil
}
