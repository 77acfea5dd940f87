package catalog

import "backroom/models"

// The catalogue answers with the result shapes of models (pages render the same values).
type (
	ProductRow    = models.ProductRow
	ProductDetail = models.ProductDetail
	TaxGroupRef   = models.TaxGroupRef
	DepartmentRow = models.DepartmentRow
	TaxRateRow    = models.TaxRateRow
	TaxGroupView  = models.TaxGroupView
	SupplierRow   = models.SupplierRow
	UnitRow       = models.UnitRow
)
