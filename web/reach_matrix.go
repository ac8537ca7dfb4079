package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// serveReachMatrix answers /api/v1/reach/matrix: who can reach whom among
// the services, from the current snapshot.
func (s *Server) serveReachMatrix(c echo.Context) error {
	return c.JSON(http.StatusOK, s.src.Snapshot().ReachMatrix())
}
