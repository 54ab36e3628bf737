// Package arn parses, validates and builds EC2 Image Builder ARNs and
// semantic versions exactly as the AWS service accepts them:
//
//	arn:aws:imagebuilder:<region>:<account>:<type>/<name>[/<M.m.p>[/<build>]]
//	arn:aws:imagebuilder:<region>:<account>:workflow/<build|test|distribution>/<name>/...
//
// The owner is a 12-digit account, "aws" for AWS-managed resources, or
// "aws-<something>" (e.g. aws-marketplace) for components, images and
// workflows. Names in ARNs are lower-case ([a-z0-9-_]+); NormalizeName maps a
// resource name to its ARN form. Versions may use trailing "x" wildcards
// (1.x.x, x.x.x) where AWS accepts them; Newest selects what such a pattern
// resolves to.
//
// Errors are *apierr.Error values with the code AWS answers:
// InvalidParameterValueException for a value that fails its model pattern
// (worded as AWS words it) and InvalidVersionNumberException for a version
// that is malformed or out of range.
package arn

import (
	"regexp"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

// ResourceType is the resource-type segment of an ARN.
type ResourceType string

// The Image Builder resource types.
const (
	Component                   ResourceType = "component"
	ImageRecipe                 ResourceType = "image-recipe"
	ContainerRecipe             ResourceType = "container-recipe"
	InfrastructureConfiguration ResourceType = "infrastructure-configuration"
	DistributionConfiguration   ResourceType = "distribution-configuration"
	ImagePipeline               ResourceType = "image-pipeline"
	Image                       ResourceType = "image"
	LifecyclePolicy             ResourceType = "lifecycle-policy"
	Workflow                    ResourceType = "workflow"
)

// WorkflowType is the segment after "workflow/" in a workflow ARN.
type WorkflowType string

// The workflow types.
const (
	WorkflowBuild        WorkflowType = "build"
	WorkflowTest         WorkflowType = "test"
	WorkflowDistribution WorkflowType = "distribution"
)

// Versioning says which version levels a resource type's ARNs carry.
type Versioning int

// Versioning kinds.
const (
	Unversioned      Versioning = iota // infrastructure/distribution configurations, pipelines, lifecycle policies
	SemanticOnly                       // recipes: name/M.m.p
	SemanticAndBuild                   // components, images, workflows: name/M.m.p/build
)

// VersioningOf is the versioning of a resource type.
func VersioningOf(t ResourceType) Versioning {
	switch t {
	case Component, Image, Workflow:
		return SemanticAndBuild
	case ImageRecipe, ContainerRecipe:
		return SemanticOnly
	}
	return Unversioned
}

// Level is how much of a version an ARN names.
type Level int

// ARN levels.
const (
	LevelName     Level = iota // …/name (or any wildcard, see ARN.Level)
	LevelVersion               // …/name/1.2.3
	LevelBuild                 // …/name/1.2.3/4
	LevelWildcard              // …/name/1.x.x, …/name/x.x.x
)

// AWSAccount is the owner of AWS-managed resources.
const AWSAccount = "aws"

// ARN is a parsed Image Builder ARN.
type ARN struct {
	Partition    string       // "aws" (or another aws* partition)
	Region       string       // e.g. us-east-1
	Account      string       // 12 digits, "aws" or "aws-<something>"
	Type         ResourceType // resource type
	WorkflowType WorkflowType // only for Type == Workflow
	Name         string       // lower-case ARN form of the name
	Version      Version      // zero for a name-level ARN
}

// New is the name-level ARN of a resource in partition "aws". name must
// already be in ARN form (see NormalizeName).
func New(region, account string, t ResourceType, name string) ARN {
	return ARN{Partition: "aws", Region: region, Account: account, Type: t, Name: name}
}

// NewWorkflow is the name-level ARN of a workflow of type wt.
func NewWorkflow(region, account string, wt WorkflowType, name string) ARN {
	a := New(region, account, Workflow, name)
	a.WorkflowType = wt
	return a
}

// String is the ARN text.
func (a ARN) String() string {
	var b strings.Builder
	b.Grow(64 + len(a.Name))
	b.WriteString("arn:")
	b.WriteString(a.Partition)
	b.WriteString(":imagebuilder:")
	b.WriteString(a.Region)
	b.WriteByte(':')
	b.WriteString(a.Account)
	b.WriteByte(':')
	b.WriteString(string(a.Type))
	if a.Type == Workflow {
		b.WriteByte('/')
		b.WriteString(string(a.WorkflowType))
	}
	b.WriteByte('/')
	b.WriteString(a.Name)
	if !a.Version.IsZero() {
		b.WriteByte('/')
		b.WriteString(a.Version.String())
	}
	return b.String()
}

// Level is how much of a version a names. "…/name/x.x.x" is LevelWildcard,
// like any other wildcard.
func (a ARN) Level() Level {
	switch {
	case a.Version.IsZero():
		return LevelName
	case a.Version.IsWildcard():
		return LevelWildcard
	case a.Version.HasBuild():
		return LevelBuild
	}
	return LevelVersion
}

// IsAWSOwned reports whether the owner is "aws" or "aws-<something>".
func (a ARN) IsAWSOwned() bool {
	return a.Account == AWSAccount || strings.HasPrefix(a.Account, AWSAccount+"-")
}

// WithVersion returns a with version v (zero for the name level).
func (a ARN) WithVersion(v Version) ARN {
	a.Version = v
	return a
}

// NameARN is a without its version.
func (a ARN) NameARN() ARN { return a.WithVersion(Version{}) }

// VersionARN is a without its build number.
func (a ARN) VersionARN() ARN { return a.WithVersion(a.Version.Semantic()) }

// VersionReferences are the wildcard ARNs of latestVersionReferences.
type VersionReferences struct {
	LatestVersionArn      string // …/name/x.x.x
	LatestMajorVersionArn string // …/name/M.x.x
	LatestMinorVersionArn string // …/name/M.m.x
	LatestPatchVersionArn string // …/name/M.m.p
}

// References are the version references of a versioned ARN (spec §1.2);
// the zero value for an ARN without a concrete version.
func (a ARN) References() VersionReferences {
	v := a.Version
	if v.IsZero() || v.IsWildcard() {
		return VersionReferences{}
	}
	with := func(s string) string { return a.WithVersion(MustParseVersion(s)).String() }
	return VersionReferences{
		LatestVersionArn:      with("x.x.x"),
		LatestMajorVersionArn: with(v.text[0] + ".x.x"),
		LatestMinorVersionArn: with(v.text[0] + "." + v.text[1] + ".x"),
		LatestPatchVersionArn: with(v.SemanticString()),
	}
}

// Shape is one ARN shape of the API model: its name and pattern. Parse
// checks a member value against it as AWS does.
type Shape struct {
	Name    string
	Pattern string
	re      *regexp.Regexp
}

func newShape(name, pattern string) Shape {
	return Shape{Name: name, Pattern: pattern, re: regexp.MustCompile(pattern)}
}

// Match reports whether s matches the shape's pattern.
func (sh Shape) Match(s string) bool { return sh.re.MatchString(s) }

// Parse parses the value s of request member param. A value failing the
// pattern is an InvalidParameterValueException worded as AWS words it; a
// value that matches but is not a usable ARN (wildcard in a wrong place,
// node out of range, a version on an unversioned type) is an
// InvalidVersionNumberException or InvalidParameterValueException.
func (sh Shape) Parse(param, s string) (ARN, error) {
	if !sh.re.MatchString(s) {
		return ARN{}, apierr.InvalidParameterPattern(param, sh.Pattern)
	}
	return decode(param, s)
}

// Parse parses any Image Builder ARN (the model's ImageBuilderArn shape),
// reporting errors as for a member named "arn".
func Parse(s string) (ARN, error) {
	return ImageBuilderArn.Parse("arn", s)
}

// MustParse is Parse that panics; for tests and constants.
func MustParse(s string) ARN {
	a, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

// decode splits an ARN that matched a model pattern and checks what the
// patterns cannot express.
func decode(param, s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return ARN{}, apierr.InvalidParameterPattern(param, ImageBuilderArn.Pattern)
	}
	a := ARN{Partition: parts[1], Region: parts[3], Account: parts[4]}
	typ, rest, _ := strings.Cut(parts[5], "/")
	a.Type = ResourceType(typ)
	if a.Type == Workflow {
		wt, r, _ := strings.Cut(rest, "/")
		a.WorkflowType, rest = WorkflowType(wt), r
	}
	name, ver, hasVer := strings.Cut(rest, "/")
	a.Name = name
	if !hasVer {
		return a, nil
	}
	invalid := func(why string) (ARN, error) {
		return ARN{}, apierr.InvalidParameterValue("The value supplied for parameter '%s' is not valid. %s", param, why)
	}
	switch VersioningOf(a.Type) {
	case Unversioned:
		return invalid("A " + typ + " ARN has no version.")
	case SemanticOnly:
		if strings.Contains(ver, "/") {
			return invalid("A " + typ + " ARN has no build number.")
		}
	}
	v, err := ParseVersion(ver)
	if err != nil {
		return ARN{}, err
	}
	a.Version = v
	return a, nil
}

// NamePattern is the model's ResourceName pattern for resource names.
const NamePattern = `^[-_A-Za-z-0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z-0-9]$`

var nameRE = regexp.MustCompile(NamePattern)

// ValidateName checks a resource name (the name member of Create*) against
// the model's ResourceName pattern.
func ValidateName(name string) error {
	if !nameRE.MatchString(name) {
		return apierr.InvalidParameterPattern("name", NamePattern)
	}
	return nil
}

// NormalizeName validates a resource name and returns its ARN form:
// lower-cased, each space replaced by "-" (AWS keeps the name as given in the
// resource and normalises only the ARN; the space rule is UNCONFIRMED).
func NormalizeName(name string) (string, error) {
	if err := ValidateName(name); err != nil {
		return "", err
	}
	return strings.ReplaceAll(strings.ToLower(name), " ", "-"), nil
}
