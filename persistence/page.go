package persistence

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// keyset is a list paged by one key of its items, with the two queries
// keysetPage puts into one statement.
type keyset[T any] struct {
	// kind names the list in its cursors; key is an item's key as its
	// cursor holds it.
	kind string
	key  func(T) string
	// start is the key parameter of the first page; parse turns a cursor's
	// key into the parameter (nil: the key as it is), an error making the
	// cursor INVALID.
	start any
	parse func(string) (any, error)
	// list selects the whole list, counted for the total; next selects from
	// it (as m), in list order, the items after the key parameter, at most
	// one more than the page size: the key and the page size are the two
	// parameters after list's. next's first column is never NULL.
	list, next string
}

// keysetPage returns the page of l after page.After, with the total of the
// list, from one statement:
//
//	WITH m AS (list), t AS (SELECT count(*)::int AS total FROM m)
//	SELECT t.total, p.* FROM t LEFT JOIN LATERAL (next) p ON true
//
// A page past the end still has the total, through the LEFT JOIN's one row
// of NULLs. args are list's parameters. Returns INVALID for a negative page
// size or a bad cursor, UNAVAILABLE when the database is unreachable.
func keysetPage[T any](ctx context.Context, s *Store, l keyset[T], page Page, args ...any) (Connection[T], error) {
	var c Connection[T]
	if err := page.validate(); err != nil {
		return c, err
	}
	key, err := decodeCursor(page.After, l.kind, 1)
	if err != nil {
		return c, err
	}
	after := l.start
	if key != nil {
		after = key[0]
		if l.parse != nil {
			if after, err = l.parse(key[0]); err != nil {
				return c, Errorf(CodeInvalid, "invalid cursor %q", page.After)
			}
		}
	}
	rows, err := s.reader(ctx).Query(ctx, `
		WITH m AS (`+l.list+`),
		     t AS (SELECT count(*)::int AS total FROM m)
		SELECT t.total, p.* FROM t LEFT JOIN LATERAL (`+l.next+`) p ON true`,
		append(args, after, page.First)...)
	if err != nil {
		return c, s.mapError(ctx, err)
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*T, error) {
		if row.RawValues()[1] == nil { // past the end: the total alone
			dest := make([]any, len(row.RawValues())) // nil skips a column
			dest[0] = &c.TotalCount
			return nil, row.Scan(dest...)
		}
		item, err := pgx.RowToStructByName[T](itemRow{row, &c.TotalCount})
		return &item, err
	})
	if err != nil {
		return c, s.mapError(ctx, err)
	}
	for _, it := range items {
		if it == nil {
			continue
		}
		if len(c.Items) == page.First {
			c.HasNextPage = true
			break
		}
		c.Items = append(c.Items, *it)
		c.Cursors = append(c.Cursors, encodeCursor(l.kind, l.key(*it)))
	}
	return c, nil
}

// itemRow is a row of keysetPage's statement seen as the item alone: its
// first column, the total, is scanned into total and hidden from the
// struct scan.
type itemRow struct {
	pgx.CollectableRow
	total *int
}

func (r itemRow) FieldDescriptions() []pgconn.FieldDescription {
	return r.CollectableRow.FieldDescriptions()[1:]
}

func (r itemRow) Scan(dest ...any) error {
	return r.CollectableRow.Scan(append([]any{r.total}, dest...)...)
}
