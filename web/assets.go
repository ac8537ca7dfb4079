package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/netviz/netviz/static"
	"github.com/netviz/netviz/views"
)

// assetCache is the Cache-Control of versioned assets: their URL changes
// whenever their content does, so browsers may keep them for a year.
const assetCache = "public, max-age=31536000, immutable"

// assetVersion hashes every embedded asset, so one URL prefix
// (/static/<hash>/) changes whenever any asset changes.
func assetVersion(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		// The path is hashed too, so renaming a file changes the version.
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash static assets: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// assetURLs are the page-facing URLs of the assets under a version prefix.
func assetURLs(version string) views.Assets {
	prefix := "/static/" + version + "/"
	return views.Assets{
		CSS:  prefix + "app.css",
		JS:   prefix + "app.js",
		HTMX: prefix + "vendor/htmx.min.js",
		WS:   prefix + "vendor/ws.js",
	}
}

// assetHandler serves /static/:version/*. A request for an older version
// still gets the current file (a page from before an upgrade keeps working),
// but without the long cache, so it is not pinned under the old URL.
func assetHandler(version string) echo.HandlerFunc {
	files := http.FileServerFS(static.FS)
	return func(c echo.Context) error {
		if c.Param("version") == version {
			c.Response().Header().Set("Cache-Control", assetCache)
		} else {
			c.Response().Header().Set("Cache-Control", "no-cache")
		}
		r := c.Request().Clone(c.Request().Context())
		r.URL.Path = "/" + c.Param("*")
		files.ServeHTTP(c.Response(), r)
		return nil
	}
}
