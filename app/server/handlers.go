package server

import (
	"context"

	"github.com/gin-gonic/gin"

	"backroom/models"
)

// RecordJSON returns the JSON handler of f on the record named by the :id path parameter: a
// malformed id is 404, an error goes to Fail, the result is answered 200.
func RecordJSON[T any](f RecordFunc[T]) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := IDParam(c, "id")
		if err != nil {
			Fail(c, err)
			return
		}
		out, err := f(c.Request.Context(), Actor(c), id)
		if err != nil {
			Fail(c, err)
			return
		}
		OK(c, out)
	}
}

// CreateJSON returns the JSON handler that binds the body into In (see BindJSON), runs create
// for the actor and answers 201 with what it made.
func CreateJSON[In, T any](create func(ctx context.Context, a models.Actor, in In) (T, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in In
		if err := BindJSON(c, &in); err != nil {
			Fail(c, err)
			return
		}
		out, err := create(c.Request.Context(), Actor(c), in)
		if err != nil {
			Fail(c, err)
			return
		}
		Created(c, out)
	}
}

// ListJSON returns the JSON handler of a paged list: the page comes from PageParams, filter
// reads the rest of the query string, list fetches that page for the actor.
func ListJSON[F, T any](filter func(*gin.Context) (F, error), list func(ctx context.Context, a models.Actor, f F, p models.Page) ([]T, int64, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := PageParams(c)
		if err != nil {
			Fail(c, err)
			return
		}
		f, err := filter(c)
		if err != nil {
			Fail(c, err)
			return
		}
		items, total, err := list(c.Request.Context(), Actor(c), f, p)
		if err != nil {
			Fail(c, err)
			return
		}
		List(c, items, total, p)
	}
}
