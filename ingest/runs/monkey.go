package runs

import (
	"encoding/json"
	"time"
)

// DependencyMonkey is one Dependency Monkey report: the run's parameters
// and each stack it generated, with the Amun inspection it was sent to.
type DependencyMonkey struct {
	ID, AnalyzerVersion string
	RunAt               *time.Time
	Duration            *float64
	DecisionType        string
	Seed                *int64
	Count               *int
	LimitLatestVersions *int
	Predictor           string
	// PredictorConfig is the predictor's configuration as JSON (the
	// report keeps it as a JSON string or an object); nil when absent.
	PredictorConfig json.RawMessage
	Runtime         RuntimeEnvironment
	// Input is the project's Pipfile (and lock, when given).
	Input        Stack
	Error        bool
	ErrorMessage string
	Skipped      *int
	Stacks       []MonkeyStack
}

// MonkeyStack is one generated stack, numbered from 1 in report order: the
// product (score, justification, lock) and the inspection id Amun answered.
type MonkeyStack struct {
	Product
	InspectionID string
}

// ParseDependencyMonkey parses and validates a Dependency Monkey report.
// id is the document id ("" takes metadata.document_id, which the reports
// leave null: the id then comes from the key). Returns a *ValidationError
// naming the JSON path of the first problem.
func ParseDependencyMonkey(id string, raw []byte) (*DependencyMonkey, error) {
	root, err := decode(raw)
	if err != nil {
		return nil, err
	}
	h, meta, err := parseHeader(root, id)
	if err != nil {
		return nil, err
	}
	d := &DependencyMonkey{ID: h.ID, AnalyzerVersion: h.AnalyzerVersion, Duration: h.Duration}
	if d.RunAt, err = optTime(meta, "metadata", "datetime"); err != nil {
		return nil, err
	}
	res, err := requiredObject(root, "", "result")
	if err != nil {
		return nil, err
	}
	const at = "result"
	e, err := optBool(res, at, "error")
	if err != nil {
		return nil, err
	}
	d.Error = e != nil && *e
	if d.ErrorMessage, err = optString(res, at, "error_msg"); err != nil {
		return nil, err
	}
	if p, err := optObject(res, at, "parameters"); err != nil {
		return nil, err
	} else if p != nil {
		if err := d.parseParameters(p, join(at, "parameters")); err != nil {
			return nil, err
		}
	}
	report, err := optObject(res, at, "report")
	if err != nil || report == nil {
		return d, err
	}
	rat := join(at, "report")
	if d.Skipped, err = optInt(report, rat, "skipped"); err != nil {
		return nil, err
	}
	err = eachObject(report, rat, "responses", func(r map[string]any, ra string) error {
		var s MonkeyStack
		var err error
		if s.InspectionID, err = reqString(r, ra, "response"); err != nil {
			return err
		}
		p, err := requiredObject(r, ra, "product")
		if err != nil {
			return err
		}
		if s.Product, err = parseProduct(p, join(ra, "product")); err != nil {
			return err
		}
		s.Number = len(d.Stacks) + 1
		d.Stacks = append(d.Stacks, s)
		return nil
	})
	return d, err
}

func (d *DependencyMonkey) parseParameters(p map[string]any, at string) error {
	var err error
	if d.DecisionType, err = optString(p, at, "decision_type"); err != nil {
		return err
	}
	if d.Seed, err = optInt64(p, at, "seed"); err != nil {
		return err
	}
	if d.Count, err = optInt(p, at, "count"); err != nil {
		return err
	}
	if d.LimitLatestVersions, err = optInt(p, at, "limit_latest_versions"); err != nil {
		return err
	}
	if d.Predictor, err = optString(p, at, "predictor"); err != nil {
		return err
	}
	switch c := p["predictor_config"].(type) {
	case nil:
	case string:
		if c != "" {
			if !json.Valid([]byte(c)) {
				return invalid(join(at, "predictor_config"), "not JSON")
			}
			d.PredictorConfig = json.RawMessage(c)
		}
	case map[string]any:
		d.PredictorConfig = marshal(c)
	default:
		return invalid(join(at, "predictor_config"), "want an object or a JSON string, got %s", describe(c))
	}
	d.Input, d.Runtime, err = parametersProject(p, at)
	return err
}
