package models

import (
	"gorm.io/gorm"
)

// Page is a 1-based page request. PageSize defaults to 25 and is capped at 200.
type Page struct {
	Page     int
	PageSize int
}

// NewPage normalises a page request.
func NewPage(page, size int) Page {
	if page < 1 {
		page = 1
	}
	if size < 1 {
		size = 25
	}
	if size > 200 {
		size = 200
	}
	return Page{Page: page, PageSize: size}
}

// Offset is the number of rows before this page.
func (p Page) Offset() int { return (p.Page - 1) * p.PageSize }

// Apply limits a query to this page.
func (p Page) Apply(q *gorm.DB) *gorm.DB { return q.Offset(p.Offset()).Limit(p.PageSize) }

// Paged runs count and page queries on q and fills dst.
func Paged[T any](q *gorm.DB, p Page, order string) ([]T, int64, error) {
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	items := make([]T, 0, p.PageSize)
	if err := p.Apply(q.Session(&gorm.Session{})).Order(order).Find(&items).Error; err != nil {
		return nil, 0, err
	}
	return items, total, nil
}
