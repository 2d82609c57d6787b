package server

import (
	"github.com/seshat-graph/seshat/graph"
	"github.com/seshat-graph/seshat/graph/model"
)

// The assumed lengths of what an image analysis lists: an image holds
// hundreds of RPMs, Debian and Python packages (imageListSize) and
// thousands of ABI symbols and Python files (imageFileListSize), so these
// lists cost more than listSize.
const (
	imageListSize     = 100
	imageFileListSize = 1000
)

// analysisComplexity sets the cost functions of the image analysis fields:
// the connections cost first times their child, an image's packages
// imageListSize times theirs, its symbols and files imageFileListSize
// times, the short lists (analyses of an image,
// interpreters, a package's requirements and relations, the versions of a
// found package, the images a version was found in) listSize times.
func analysisComplexity(c *graph.ComplexityRoot, conn func(child int, first *int) int, list func(child int) int) {
	long := func(child int) int { return mul(1+child, imageListSize) }
	longer := func(child int) int { return mul(1+child, imageFileListSize) }
	c.Query.ImageAnalyses = func(child int, _ *string, first *int, _ *string) int { return conn(child, first) }
	c.Query.SoftwareEnvironments = func(child int, _ *string, _ *model.EnvironmentType, _, _, _, _, _ *string, first *int, _ *string) int {
		return conn(child, first)
	}
	c.SoftwareEnvironment.Analyses = func(child int) int { return list(child) }
	c.SoftwareEnvironment.PythonPackages = func(child int) int { return long(child) }
	c.SoftwareEnvironment.RpmPackages = func(child int) int { return long(child) }
	c.SoftwareEnvironment.DebPackages = func(child int) int { return long(child) }
	c.SoftwareEnvironment.Symbols = func(child int, _ *string) int { return longer(child) }
	c.SoftwareEnvironment.Interpreters = func(child int) int { return list(child) }
	c.SoftwareEnvironment.PythonFiles = func(child int, _ *string) int { return longer(child) }
	c.ImagePythonPackage.PackageVersions = func(child int) int { return list(child) }
	c.RpmPackageVersion.Requirements = func(child int) int { return list(child) }
	c.DebPackageVersion.Depends = func(child int) int { return list(child) }
	c.DebPackageVersion.PreDepends = func(child int) int { return list(child) }
	c.DebPackageVersion.Replaces = func(child int) int { return list(child) }
	c.PackageVersion.FoundInImages = func(child int) int { return list(child) }
}
