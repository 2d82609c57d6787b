// Package playground serves the browser pages of the gateway: GraphiQL at
// /playground and the dependency-graph explorer at /explorer. Their assets
// are built from npm packages by scripts/playground-assets.sh into dist/ and
// embedded in the binary, so the pages work with no internet access: they
// load nothing but their own files and talk only to /graphql.
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

// contentTypes are set explicitly: the system's MIME table may lack some.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".ttf":  "font/ttf",
	".woff": "font/woff",
	".txt":  "text/plain; charset=utf-8",
	".json": "application/json",
	".png":  "image/png",
	".svg":  "image/svg+xml",
}

// csp keeps the pages to their own origin: scripts, styles, fonts, workers and
// requests from the gateway only (data: and blob: for inlined fonts, cytoscape
// and the PNG export).
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

// Playground serves GraphiQL: /playground and /playground/ answer with its
// page, /playground/<file> with its assets.
func Playground() http.Handler { return pages("playground") }

// Explorer serves the dependency-graph explorer: /explorer and /explorer/
// answer with its page (the query string carries the view), /explorer/<file>
// with its assets.
func Explorer() http.Handler { return pages("explorer") }

type asset struct {
	body        []byte
	contentType string
	etag        string
}

// pages serves dist/<name>. It panics when the embedded assets are missing,
// which only a broken build can cause.
func pages(name string) http.Handler {
	sub, err := fs.Sub(dist, "dist/"+name)
	if err != nil {
		panic(err)
	}
	files := map[string]asset{}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			ct = http.DetectContentType(b)
		}
		sum := sha256.Sum256(b)
		files[p] = asset{body: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		panic(err)
	}
	if _, ok := files["index.html"]; !ok {
		panic("playground: dist/" + name + "/index.html is missing; run scripts/playground-assets.sh")
	}
	prefix := "/" + name
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok || (rest != "" && rest[0] != '/') {
			http.NotFound(w, r)
			return
		}
		rest = strings.TrimPrefix(rest, "/")
		if rest == "" {
			rest = "index.html"
		}
		a, ok := files[rest]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", a.etag)
		// Asset names do not change with their content: revalidate every
		// time, cheaply, with the ETag.
		h.Set("Cache-Control", "no-cache")
		if rest == "index.html" {
			h.Set("Content-Security-Policy", csp)
			h.Set("Referrer-Policy", "no-referrer")
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	})
}
