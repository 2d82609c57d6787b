package runs

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/seshat-graph/seshat/python"
)

// SourceTypes are the values an adviser run's source type may take, as
// Thoth named the clients that ask for advice.
var SourceTypes = []string{"CLI", "KEBECHET", "S2I", "GITHUB_APP", "JUPYTER_NOTEBOOK"}

// Adviser is one adviser run: what was asked, in which runtime environment
// and on which hardware, and what the adviser answered.
type Adviser struct {
	ID                        string
	Analyzer, AnalyzerVersion string
	Deployment                string
	RunAt                     *time.Time
	Duration                  *float64 // seconds
	Debug                     bool
	// From metadata.arguments["thoth-adviser"].metadata.
	Origin     string
	SourceType string // one of SourceTypes, "" when not stated
	ReRunOf    string // the id of the run this one re-runs
	IsS2I      *bool
	// From result.parameters: upper case, as Thoth kept them.
	RecommendationType, RequirementsFormat string
	Count, Limit, LimitLatestVersions      *int
	Error                                  bool
	ErrorMessage                           string
	// HasReport is false for a run without a report (result.report null,
	// as an adviser killed for its memory writes).
	HasReport bool
	// StackInfo is report.stack_info, a JSON array ([] when absent).
	StackInfo json.RawMessage
	Runtime   RuntimeEnvironment
	Input     Stack
	Products  []Product
	// Unresolved are the packages the run could not resolve
	// (report._ERROR_DETAILS.unresolved and report.unresolved), PEP 503
	// normalised, sorted, each once.
	Unresolved []string
}

// RuntimeEnvironment is the runtime environment a user gave the adviser.
type RuntimeEnvironment struct {
	Name                                 string
	OSName, OSVersion                    string // normalised as the graph's environments are
	PythonVersion, CUDAVersion, Platform string
	Raw                                  json.RawMessage // all of it; {} when not given
	Hardware                             Hardware
}

// Hardware is the hardware a user gave the adviser.
type Hardware struct {
	CPUFamily, CPUModel, CPUCores *int
	CPUModelName, GPUModel        string
	RAMSize                       *int64
	Raw                           json.RawMessage // all of it; {} when not given
}

// Product is one stack the adviser recommended, numbered from 1 in report
// order.
type Product struct {
	Number           int
	Score            *float64
	PerformanceScore *float64 // from a justification entry that has one
	// Justification is the product's justification, a JSON array of
	// objects ({type, message, link, ...}).
	Justification json.RawMessage
	// AdvisedRuntimeEnvironment and AdvisedManifestChanges are kept as
	// JSON; nil when the product has none.
	AdvisedRuntimeEnvironment, AdvisedManifestChanges json.RawMessage
	Stack                                             Stack
}

// ParseAdviser parses and validates an adviser document. id is the document
// id ("" takes metadata.document_id). Returns a *ValidationError naming the
// JSON path of the first problem.
func ParseAdviser(id string, raw []byte) (*Adviser, error) {
	root, err := decode(raw)
	if err != nil {
		return nil, err
	}
	h, meta, err := parseHeader(root, id)
	if err != nil {
		return nil, err
	}
	a := &Adviser{ID: h.ID, Analyzer: h.Analyzer, AnalyzerVersion: h.AnalyzerVersion, Deployment: h.Deployment,
		Duration: h.Duration, Debug: h.Debug, StackInfo: json.RawMessage("[]")}
	if a.RunAt, err = optTime(meta, "metadata", "datetime"); err != nil {
		return nil, err
	}
	if err := a.parseClient(h.Meta, h.MetaAt); err != nil {
		return nil, err
	}
	res, err := requiredObject(root, "", "result")
	if err != nil {
		return nil, err
	}
	if err := a.parseResult(res); err != nil {
		return nil, err
	}
	return a, nil
}

// parseClient reads what the client that asked said of itself.
func (a *Adviser) parseClient(m map[string]any, at string) error {
	if m == nil {
		return nil
	}
	var err error
	if a.Origin, err = optString(m, at, "origin"); err != nil {
		return err
	}
	if a.ReRunOf, err = optString(m, at, "re_run_adviser_id"); err != nil {
		return err
	}
	if a.IsS2I, err = optBool(m, at, "is_s2i"); err != nil {
		return err
	}
	st, err := optString(m, at, "source_type")
	if err != nil {
		return err
	}
	a.SourceType = strings.ToUpper(strings.TrimSpace(st))
	if a.SourceType != "" && !slices.Contains(SourceTypes, a.SourceType) {
		return invalid(join(at, "source_type"), "unknown source type %q (known: %s)", st, strings.Join(SourceTypes, ", "))
	}
	return nil
}

func (a *Adviser) parseResult(res map[string]any) error {
	const at = "result"
	e, err := optBool(res, at, "error")
	if err != nil {
		return err
	}
	a.Error = e != nil && *e
	if a.ErrorMessage, err = optString(res, at, "error_msg"); err != nil {
		return err
	}
	params, err := optObject(res, at, "parameters")
	if err != nil {
		return err
	}
	if params != nil {
		if err := a.parseParameters(params, join(at, "parameters")); err != nil {
			return err
		}
	}
	report, err := optObject(res, at, "report")
	if err != nil || report == nil {
		return err
	}
	a.HasReport = true
	return a.parseReport(report, join(at, "report"))
}

func (a *Adviser) parseParameters(p map[string]any, at string) error {
	var err error
	upper := func(key string) (string, error) {
		s, err := optString(p, at, key)
		return strings.ToUpper(strings.TrimSpace(s)), err
	}
	if a.RecommendationType, err = upper("recommendation_type"); err != nil {
		return err
	}
	if a.RequirementsFormat, err = upper("requirements_format"); err != nil {
		return err
	}
	if a.Count, err = optInt(p, at, "count"); err != nil {
		return err
	}
	if a.Limit, err = optInt(p, at, "limit"); err != nil {
		return err
	}
	if a.LimitLatestVersions, err = optInt(p, at, "limit_latest_versions"); err != nil {
		return err
	}
	a.Input, a.Runtime, err = parametersProject(p, at)
	return err
}

// parametersProject reads the project of a run's parameters (thoth-python's
// Project.to_dict): its stack and its runtime environment, empty when the
// parameters name no project.
func parametersProject(p map[string]any, at string) (Stack, RuntimeEnvironment, error) {
	empty := RuntimeEnvironment{Raw: json.RawMessage("{}"), Hardware: Hardware{Raw: json.RawMessage("{}")}}
	project, err := optObject(p, at, "project")
	if err != nil || project == nil {
		return Stack{}, empty, err
	}
	pat := join(at, "project")
	stack, err := projectStack(project, pat)
	if err != nil {
		return Stack{}, empty, err
	}
	env, err := optObject(project, pat, "runtime_environment")
	if err != nil {
		return Stack{}, empty, err
	}
	rt, err := parseRuntime(env, join(pat, "runtime_environment"))
	return stack, rt, err
}

// projectStack reads the stack of a project as thoth-python's
// Project.to_dict writes it.
func projectStack(project map[string]any, at string) (Stack, error) {
	req, err := optObject(project, at, "requirements")
	if err != nil {
		return Stack{}, err
	}
	lock, err := optObject(project, at, "requirements_locked")
	if err != nil {
		return Stack{}, err
	}
	return parseStack(req, join(at, "requirements"), lock, join(at, "requirements_locked"))
}

func parseRuntime(env map[string]any, at string) (RuntimeEnvironment, error) {
	r := RuntimeEnvironment{Raw: json.RawMessage("{}"), Hardware: Hardware{Raw: json.RawMessage("{}")}}
	if env == nil {
		return r, nil
	}
	r.Raw = marshal(env)
	var err error
	if r.Name, err = optString(env, at, "name"); err != nil {
		return r, err
	}
	if r.PythonVersion, err = optString(env, at, "python_version"); err != nil {
		return r, err
	}
	if r.CUDAVersion, err = optString(env, at, "cuda_version"); err != nil {
		return r, err
	}
	if r.Platform, err = optString(env, at, "platform"); err != nil {
		return r, err
	}
	os, err := optObject(env, at, "operating_system")
	if err != nil {
		return r, err
	}
	if os != nil {
		oat := join(at, "operating_system")
		if r.OSName, err = optString(os, oat, "name"); err != nil {
			return r, err
		}
		if r.OSVersion, err = optString(os, oat, "version"); err != nil {
			return r, err
		}
	}
	n := python.Environment{OSName: r.OSName, OSVersion: r.OSVersion, PythonVersion: r.PythonVersion}.Normalized()
	r.OSName, r.OSVersion, r.PythonVersion = n.OSName, n.OSVersion, n.PythonVersion
	hw, err := optObject(env, at, "hardware")
	if err != nil || hw == nil {
		return r, err
	}
	hat := join(at, "hardware")
	h := &r.Hardware
	h.Raw = marshal(hw)
	if h.CPUFamily, err = optInt(hw, hat, "cpu_family"); err != nil {
		return r, err
	}
	if h.CPUModel, err = optInt(hw, hat, "cpu_model"); err != nil {
		return r, err
	}
	if h.CPUCores, err = optInt(hw, hat, "cpu_cores"); err != nil {
		return r, err
	}
	if h.CPUModelName, err = optString(hw, hat, "cpu_model_name"); err != nil {
		return r, err
	}
	if h.GPUModel, err = optString(hw, hat, "gpu_model"); err != nil {
		return r, err
	}
	if h.GPUModel == "" {
		if h.GPUModel, err = optString(hw, hat, "gpu_model_name"); err != nil {
			return r, err
		}
	}
	h.RAMSize, err = optInt64(hw, hat, "ram_size")
	return r, err
}

func (a *Adviser) parseReport(report map[string]any, at string) error {
	if v := report["stack_info"]; v != nil {
		info, err := list(report, at, "stack_info")
		if err != nil {
			return err
		}
		a.StackInfo = marshal(info)
	}
	if products, _ := report["products"].([]any); len(products) > MaxProducts {
		return invalid(join(at, "products"), "%d products, more than %d", len(products), MaxProducts)
	}
	err := eachObject(report, at, "products", func(p map[string]any, pat string) error {
		prod, err := parseProduct(p, pat)
		prod.Number = len(a.Products) + 1
		a.Products = append(a.Products, prod)
		return err
	})
	if err != nil {
		return err
	}
	var names []string
	add := func(m map[string]any, at string) error {
		a, err := list(m, at, "unresolved")
		if err != nil {
			return err
		}
		for i, v := range a {
			p := index(join(at, "unresolved"), i)
			var name string
			if o, ok := v.(map[string]any); ok {
				name, err = reqString(o, p, "package_name")
			} else {
				name, err = str(v, p)
			}
			if err != nil {
				return err
			}
			if name = python.NormalizeName(name); name == "" {
				return invalid(p, "package name is empty")
			}
			names = append(names, name)
		}
		return nil
	}
	details, err := optObject(report, at, "_ERROR_DETAILS")
	if err != nil {
		return err
	}
	if details != nil {
		if err := add(details, join(at, "_ERROR_DETAILS")); err != nil {
			return err
		}
	}
	if err := add(report, at); err != nil {
		return err
	}
	slices.Sort(names)
	a.Unresolved = slices.Compact(names)
	return nil
}

func parseProduct(p map[string]any, at string) (Product, error) {
	var prod Product
	var err error
	if prod.Score, err = optFloat(p, at, "score"); err != nil {
		return prod, err
	}
	var entries []any
	err = eachObject(p, at, "justification", func(e map[string]any, eat string) error {
		entries = append(entries, e)
		if e["performance_score"] == nil {
			return nil
		}
		ps, err := optFloat(e, eat, "performance_score")
		if err == nil && prod.PerformanceScore == nil {
			prod.PerformanceScore = ps
		}
		return err
	})
	if err != nil {
		return prod, err
	}
	if entries == nil {
		entries = []any{}
	}
	prod.Justification = marshal(entries)
	for _, key := range []string{"advised_runtime_environment", "advised_manifest_changes"} {
		v := p[key]
		switch v.(type) {
		case nil:
		case map[string]any, []any:
		default:
			return prod, invalid(join(at, key), "want an object or an array, got %s", describe(v))
		}
		if key == "advised_runtime_environment" {
			prod.AdvisedRuntimeEnvironment = rawJSON(v)
		} else {
			prod.AdvisedManifestChanges = rawJSON(v)
		}
	}
	project, err := optObject(p, at, "project")
	if err != nil || project == nil {
		return prod, err
	}
	prod.Stack, err = projectStack(project, join(at, "project"))
	return prod, err
}
