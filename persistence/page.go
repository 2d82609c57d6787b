package persistence

import (
	"encoding/base64"
	"encoding/json"
	"sort"
)

// Page asks for a keyset page: at most First items after the item whose
// cursor is After ("" for the first page). First must be >= 0; callers apply
// their own defaults and caps.
type Page struct {
	First int
	After string
}

// Connection is one page of an ordered list: the items, one opaque cursor
// per item, whether more follow and how many items the whole list has.
type Connection[T any] struct {
	Items       []T
	Cursors     []string
	HasNextPage bool
	TotalCount  int
}

// cursor is the decoded form of an opaque cursor: a kind that names the list
// it belongs to and the sort key of the item it points at.
type cursor struct {
	Kind string   `json:"k"`
	Key  []string `json:"v"`
}

func encodeCursor(kind string, key ...string) string {
	raw, _ := json.Marshal(cursor{Kind: kind, Key: key}) // strings only: cannot fail
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeCursor returns the key of an opaque cursor of the given kind with n
// parts; nil for "". A cursor of another list or a forged one is INVALID.
func decodeCursor(s, kind string, n int) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, Errorf(CodeInvalid, "invalid cursor %q", s)
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil || c.Kind != kind || len(c.Key) != n {
		return nil, Errorf(CodeInvalid, "invalid cursor %q for this list", s)
	}
	return c.Key, nil
}

func (p Page) validate() error {
	if p.First < 0 {
		return Errorf(CodeInvalid, "first must be >= 0, got %d", p.First)
	}
	return nil
}

// sliceConnection pages through items already in their list order: it
// starts at the first item for which after(item) reports that it follows the
// cursor (all items when the page has no cursor).
func sliceConnection[T any](items []T, page Page, cursorOf func(T) string, after func(T) bool) Connection[T] {
	start := 0
	if page.After != "" {
		start = sort.Search(len(items), func(i int) bool { return after(items[i]) })
	}
	end := min(start+page.First, len(items))
	c := Connection[T]{
		Items:       items[start:end:end],
		Cursors:     make([]string, 0, end-start),
		HasNextPage: end < len(items),
		TotalCount:  len(items),
	}
	for _, it := range c.Items {
		c.Cursors = append(c.Cursors, cursorOf(it))
	}
	return c
}

func sortStrings(s []string) { sort.Strings(s) }
