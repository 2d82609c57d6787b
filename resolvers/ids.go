package resolvers

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/seshat-graph/seshat/graph/model"
	"github.com/seshat-graph/seshat/loaders"
	"github.com/seshat-graph/seshat/persistence"
)

// Global ids are base64("<Type>:<database id>"), opaque to clients.
const (
	typePackage        = "Package"
	typePackageVersion = "PackageVersion"
	typeEnvironment    = "Environment"
	typePackageIndex   = "PackageIndex"
)

func globalID(typ string, id int64) string {
	return base64.StdEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}

// parseGlobalID splits a global id; a malformed one is INVALID.
func parseGlobalID(s string) (string, int64, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err == nil {
		typ, num, ok := strings.Cut(string(raw), ":")
		if id, perr := strconv.ParseInt(num, 10, 64); ok && perr == nil && id > 0 {
			return typ, id, nil
		}
	}
	return "", 0, persistence.Errorf(persistence.CodeInvalid, "invalid id %q", s)
}

// node loads the entity a global id names; nil when it does not exist.
func node(ctx context.Context, id string) (model.Entity, error) {
	typ, n, err := parseGlobalID(id)
	if err != nil {
		return nil, err
	}
	l := loaders.For(ctx)
	var e model.Entity
	switch typ {
	case typePackage:
		e, err = orNil(l.Package(ctx, n))
	case typePackageVersion:
		e, err = orNil(l.Version(ctx, n))
	case typeEnvironment:
		e, err = orNil(l.Environment(ctx, n))
	case typePackageIndex:
		e, err = orNil(l.Index(ctx, n))
	case typeSoftwareEnvironment:
		e, err = orNil(l.SoftwareEnvironment(ctx, n))
	default:
		return nil, persistence.Errorf(persistence.CodeInvalid, "invalid id %q: unknown type %q", id, typ)
	}
	return e, err
}

// orNil turns NOT_FOUND into a nil entity without error.
func orNil[T any](v *T, err error) (model.Entity, error) {
	if persistence.ErrorCode(err) == persistence.CodeNotFound {
		return nil, nil
	}
	if err != nil || v == nil {
		return nil, err
	}
	return v, nil
}
