package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/netviz/netviz/collector/model/reach"
)

// serveReachMatrix answers /api/v1/reach/matrix: who can reach whom among
// the services, from the current snapshot.
func (s *Server) serveReachMatrix(c echo.Context) error {
	return c.JSON(http.StatusOK, reach.MatrixOf(s.src.Snapshot()))
}
