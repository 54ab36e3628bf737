package service

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

// Lengths and counts of the API model the validators check.
const (
	maxString = 1024 // NonEmptyString
	// maxList bounds lists the model leaves unbounded (instance types,
	// security groups, distributions, block devices, workflows, ...).
	maxList         = 100
	maxResourceTags = 30
)

// checker collects the first problem of a request, naming its member.
type checker struct{ err error }

func (c *checker) fail(param, format string, args ...any) {
	if c.err == nil {
		c.err = apierr.InvalidParameterValue("The value supplied for parameter '%s' is not valid. %s", param, fmt.Sprintf(format, args...))
	}
}

// required checks that a string member is present.
func (c *checker) required(param, v string) {
	if v == "" && c.err == nil {
		c.err = missing(param)
	}
}

// length checks an optional string member's length in characters.
func (c *checker) length(param, v string, maxLen int) {
	if n := utf8.RuneCountInString(v); n > maxLen {
		c.fail(param, "It must be at most %d characters long, not %d.", maxLen, n)
	}
}

// strs checks a string list: at most maxLen entries, each 1 to maxString characters.
func (c *checker) strs(param string, vs []string, maxLen int) {
	if len(vs) > maxLen {
		c.fail(param, "It may list at most %d values, not %d.", maxLen, len(vs))
	}
	for _, v := range vs {
		if v == "" || utf8.RuneCountInString(v) > maxString {
			c.fail(param, "Each value must be 1 to %d characters long.", maxString)
		}
	}
}

// count checks the length of a list member.
func (c *checker) count(param string, n, maxLen int) {
	if n > maxLen {
		c.fail(param, "It may have at most %d entries, not %d.", maxLen, n)
	}
}

// enum checks an optional member against its allowed values.
func (c *checker) enum(param, v string, allowed ...string) {
	if v == "" {
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.fail(param, "It must be one of %v.", allowed)
}

// between checks an optional (zero: absent) number member's range.
func (c *checker) between(param string, v, lo, hi int32) {
	if v != 0 && (v < lo || v > hi) {
		c.fail(param, "It must be between %d and %d, not %d.", lo, hi, v)
	}
}

// tags checks a tag map member.
func (c *checker) tags(param string, tags map[string]string, maxLen int) {
	if c.err != nil {
		return
	}
	if len(tags) > maxLen {
		c.fail(param, "It may have at most %d tags.", maxLen)
		return
	}
	if err := checkTags(tags); err != nil {
		if e, ok := apierr.As(err); ok {
			c.err = apierr.InvalidParameterValue("%s", replaceParam(e.Message, param))
			return
		}
		c.err = err
	}
}

func replaceParam(msg, param string) string {
	return strings.Replace(msg, "parameter 'tags'", "parameter '"+param+"'", 1)
}

// validate checks an infrastructure configuration's members.
func (in *InfrastructureSettings) validate() error {
	var c checker
	c.required("instanceProfileName", in.InstanceProfileName)
	c.length("instanceProfileName", in.InstanceProfileName, 256)
	c.length("description", in.Description, maxString)
	c.strs("instanceTypes", in.InstanceTypes, maxList)
	c.strs("securityGroupIds", in.SecurityGroupIDs, maxList)
	c.length("subnetId", in.SubnetID, maxString)
	c.length("keyPair", in.KeyPair, maxString)
	c.length("snsTopicArn", in.SnsTopicArn, maxString)
	c.tags("resourceTags", in.ResourceTags, maxResourceTags)
	if l := in.Logging; l != nil && l.S3Logs != nil {
		c.length("logging.s3Logs.s3BucketName", l.S3Logs.S3BucketName, maxString)
		c.length("logging.s3Logs.s3KeyPrefix", l.S3Logs.S3KeyPrefix, maxString)
	}
	if o := in.InstanceMetadataOptions; o != nil {
		c.enum("instanceMetadataOptions.httpTokens", o.HTTPTokens, "required", "optional")
		c.between("instanceMetadataOptions.httpPutResponseHopLimit", o.HTTPPutResponseHopLimit, 1, 64)
	}
	if p := in.Placement; p != nil {
		c.enum("placement.tenancy", p.Tenancy, "default", "dedicated", "host")
		c.length("placement.availabilityZone", p.AvailabilityZone, maxString)
		c.length("placement.hostId", p.HostID, maxString)
		c.length("placement.hostResourceGroupArn", p.HostResourceGroupArn, maxString)
	}
	return c.err
}

// validate checks a distribution configuration's members.
func (in *DistributionSettings) validate() error {
	var c checker
	c.length("description", in.Description, maxString)
	if len(in.Distributions) == 0 {
		c.fail("distributions", "At least one distribution is required.")
	}
	c.count("distributions", len(in.Distributions), maxList)
	for i := range in.Distributions {
		d := &in.Distributions[i]
		c.required("distributions.region", d.Region)
		c.length("distributions.region", d.Region, maxString)
		c.strs("distributions.licenseConfigurationArns", d.LicenseConfigurationArns, 50)
		if a := d.AmiDistributionConfiguration; a != nil {
			c.length("distributions.amiDistributionConfiguration.name", a.Name, 127)
			c.length("distributions.amiDistributionConfiguration.description", a.Description, maxString)
			c.strs("distributions.amiDistributionConfiguration.targetAccountIds", a.TargetAccountIDs, 1536)
			c.tags("distributions.amiDistributionConfiguration.amiTags", a.AmiTags, MaxTags)
			c.length("distributions.amiDistributionConfiguration.kmsKeyId", a.KmsKeyID, maxString)
			if lp := a.LaunchPermission; lp != nil {
				c.strs("distributions.amiDistributionConfiguration.launchPermission.userIds", lp.UserIDs, 1536)
				c.strs("distributions.amiDistributionConfiguration.launchPermission.userGroups", lp.UserGroups, maxList)
				c.strs("distributions.amiDistributionConfiguration.launchPermission.organizationArns", lp.OrganizationArns, 25)
				c.strs("distributions.amiDistributionConfiguration.launchPermission.organizationalUnitArns", lp.OrganizationalUnitArns, 25)
			}
		}
		if cd := d.ContainerDistributionConfiguration; cd != nil {
			c.length("distributions.containerDistributionConfiguration.description", cd.Description, maxString)
			c.strs("distributions.containerDistributionConfiguration.containerTags", cd.ContainerTags, maxList)
			c.repository("distributions.containerDistributionConfiguration.targetRepository", cd.TargetRepository)
		}
		c.count("distributions.launchTemplateConfigurations", len(d.LaunchTemplateConfigurations), maxList)
		for _, lt := range d.LaunchTemplateConfigurations {
			c.required("distributions.launchTemplateConfigurations.launchTemplateId", lt.LaunchTemplateID)
			c.length("distributions.launchTemplateConfigurations.launchTemplateId", lt.LaunchTemplateID, maxString)
			c.length("distributions.launchTemplateConfigurations.accountId", lt.AccountID, maxString)
		}
		if e := d.S3ExportConfiguration; e != nil {
			c.required("distributions.s3ExportConfiguration.roleName", e.RoleName)
			c.required("distributions.s3ExportConfiguration.s3Bucket", e.S3Bucket)
			c.required("distributions.s3ExportConfiguration.diskImageFormat", e.DiskImageFormat)
			c.enum("distributions.s3ExportConfiguration.diskImageFormat", e.DiskImageFormat, "VMDK", "RAW", "VHD")
			c.length("distributions.s3ExportConfiguration.roleName", e.RoleName, maxString)
			c.length("distributions.s3ExportConfiguration.s3Bucket", e.S3Bucket, maxString)
			c.length("distributions.s3ExportConfiguration.s3Prefix", e.S3Prefix, maxString)
		}
		c.count("distributions.fastLaunchConfigurations", len(d.FastLaunchConfigurations), 1000)
		for _, fl := range d.FastLaunchConfigurations {
			c.between("distributions.fastLaunchConfigurations.maxParallelLaunches", fl.MaxParallelLaunches, 1, 10000)
			if fl.SnapshotConfiguration != nil {
				c.between("distributions.fastLaunchConfigurations.snapshotConfiguration.targetResourceCount", fl.SnapshotConfiguration.TargetResourceCount, 1, 10000)
			}
			if lt := fl.LaunchTemplate; lt != nil {
				c.length("distributions.fastLaunchConfigurations.launchTemplate.launchTemplateId", lt.LaunchTemplateID, maxString)
				c.length("distributions.fastLaunchConfigurations.launchTemplate.launchTemplateName", lt.LaunchTemplateName, maxString)
				c.length("distributions.fastLaunchConfigurations.launchTemplate.launchTemplateVersion", lt.LaunchTemplateVersion, maxString)
			}
			c.length("distributions.fastLaunchConfigurations.accountId", fl.AccountID, maxString)
		}
		c.count("distributions.ssmParameterConfigurations", len(d.SsmParameterConfigurations), maxList)
		for _, p := range d.SsmParameterConfigurations {
			c.required("distributions.ssmParameterConfigurations.parameterName", p.ParameterName)
			c.length("distributions.ssmParameterConfigurations.parameterName", p.ParameterName, 1011)
			c.length("distributions.ssmParameterConfigurations.amiAccountId", p.AmiAccountID, maxString)
			c.enum("distributions.ssmParameterConfigurations.dataType", p.DataType, "text", "aws:ec2:image")
		}
	}
	return c.err
}

// repository checks a target container repository.
func (c *checker) repository(param string, r *TargetRepository) {
	if r == nil {
		if c.err == nil {
			c.err = missing(param)
		}
		return
	}
	if r.Service != "ECR" {
		c.fail(param+".service", "It must be ECR.")
	}
	if n := utf8.RuneCountInString(r.RepositoryName); n < 1 || n > 1024 {
		c.fail(param+".repositoryName", "It must be 1 to 1024 characters long.")
	}
}

// components checks a recipe's component list.
func (c *checker) components(comps []ComponentConfiguration) {
	if len(comps) > MaxComponentsPerRecipe {
		c.fail("components", "A recipe can have at most %d components, not %d.", MaxComponentsPerRecipe, len(comps))
	}
	for _, cc := range comps {
		c.required("components.componentArn", cc.ComponentArn)
		c.count("components.parameters", len(cc.Parameters), maxList)
		for _, p := range cc.Parameters {
			c.parameter("components.parameters", p.Name, p.Value, 256)
		}
	}
}

// parameter checks a parameter value given to a component or workflow.
func (c *checker) parameter(param, name string, values []string, maxName int) {
	c.required(param+".name", name)
	c.length(param+".name", name, maxName)
	c.count(param+".value", len(values), maxList)
	for _, v := range values {
		c.length(param+".value", v, maxString)
	}
}

// blockDevices checks block device mappings.
func (c *checker) blockDevices(param string, bdms []BlockDeviceMapping) {
	c.count(param, len(bdms), maxList)
	for _, b := range bdms {
		c.length(param+".deviceName", b.DeviceName, maxString)
		c.length(param+".virtualName", b.VirtualName, maxString)
		c.length(param+".noDevice", b.NoDevice, maxString)
		if e := b.Ebs; e != nil {
			c.between(param+".ebs.volumeSize", e.VolumeSize, 1, 16000)
			c.between(param+".ebs.iops", e.Iops, 100, 64000)
			c.between(param+".ebs.throughput", e.Throughput, 125, 1000)
			c.enum(param+".ebs.volumeType", e.VolumeType, "standard", "io1", "io2", "gp2", "gp3", "sc1", "st1")
			c.length(param+".ebs.kmsKeyId", e.KmsKeyID, maxString)
			c.length(param+".ebs.snapshotId", e.SnapshotID, maxString)
		}
	}
}

// validate checks an image recipe's members.
func (in *ImageRecipeSettings) validate() error {
	var c checker
	c.required("parentImage", in.ParentImage)
	c.length("parentImage", in.ParentImage, maxString)
	c.length("description", in.Description, maxString)
	c.components(in.Components)
	c.blockDevices("blockDeviceMappings", in.BlockDeviceMappings)
	c.length("workingDirectory", in.WorkingDirectory, maxString)
	c.tags("amiTags", in.AmiTags, MaxTags)
	if a := in.AdditionalInstanceConfiguration; a != nil {
		c.length("additionalInstanceConfiguration.userDataOverride", a.UserDataOverride, 21847)
	}
	return c.err
}

// validate checks a container recipe's members (the Dockerfile template
// is checked by checkDockerfile).
func (in *ContainerRecipeSettings) validate() error {
	var c checker
	c.required("containerType", in.ContainerType)
	c.required("parentImage", in.ParentImage)
	if in.ContainerType != "" && in.ContainerType != "DOCKER" {
		c.fail("containerType", "It must be DOCKER.")
	}
	c.repository("targetRepository", in.TargetRepository)
	c.length("description", in.Description, maxString)
	c.components(in.Components)
	if ic := in.InstanceConfiguration; ic != nil {
		c.length("instanceConfiguration.image", ic.Image, maxString)
		c.blockDevices("instanceConfiguration.blockDeviceMappings", ic.BlockDeviceMappings)
	}
	c.length("kmsKeyId", in.KmsKeyID, maxString)
	c.length("workingDirectory", in.WorkingDirectory, maxString)
	return c.err
}

// testsAndScanning checks the test and scanning settings of a pipeline or image.
func (c *checker) testsAndScanning(tests *ImageTestsConfiguration, scan *ImageScanningConfiguration, workflows []WorkflowConfiguration, role string) {
	if tests != nil {
		c.between("imageTestsConfiguration.timeoutMinutes", tests.TimeoutMinutes, 60, 1440)
	}
	if scan != nil && scan.EcrConfiguration != nil {
		c.length("imageScanningConfiguration.ecrConfiguration.repositoryName", scan.EcrConfiguration.RepositoryName, maxString)
		c.strs("imageScanningConfiguration.ecrConfiguration.containerTags", scan.EcrConfiguration.ContainerTags, maxList)
	}
	c.length("executionRole", role, 2048)
	c.count("workflows", len(workflows), maxList)
	for _, wf := range workflows {
		c.required("workflows.workflowArn", wf.WorkflowArn)
		c.enum("workflows.onFailure", wf.OnFailure, "CONTINUE", "ABORT")
		c.length("workflows.parallelGroup", wf.ParallelGroup, 100)
		c.count("workflows.parameters", len(wf.Parameters), maxList)
		for _, p := range wf.Parameters {
			c.parameter("workflows.parameters", p.Name, p.Value, 128)
		}
	}
}

// validate checks an image pipeline's members (the schedule's expression
// and time zone are parsed by ScheduleOf).
func (in *PipelineSettings) validate() error {
	var c checker
	c.required("infrastructureConfigurationArn", in.InfrastructureConfigurationArn)
	c.length("description", in.Description, maxString)
	c.enum("status", in.Status, "ENABLED", "DISABLED")
	c.testsAndScanning(in.ImageTestsConfiguration, in.ImageScanningConfiguration, in.Workflows, in.ExecutionRole)
	if sch := in.Schedule; sch != nil {
		c.length("schedule.scheduleExpression", sch.ScheduleExpression, maxString)
		c.length("schedule.timezone", sch.Timezone, 100)
	}
	if l := in.LoggingConfiguration; l != nil {
		c.length("loggingConfiguration.imageLogGroupName", l.ImageLogGroupName, 512)
		c.length("loggingConfiguration.pipelineLogGroupName", l.PipelineLogGroupName, 512)
	}
	c.tags("imageTags", in.ImageTags, MaxTags)
	if c.err == nil && (in.ImageRecipeArn == "") == (in.ContainerRecipeArn == "") {
		c.err = apierr.InvalidParameterCombination("You must specify exactly one of 'imageRecipeArn' and 'containerRecipeArn'.")
	}
	return c.err
}

// validate checks a CreateImage request's members.
func (in *CreateImageInput) validate() error {
	var c checker
	c.required("imageRecipeArn", in.ImageRecipeArn)
	c.required("infrastructureConfigurationArn", in.InfrastructureConfigurationArn)
	c.testsAndScanning(in.ImageTestsConfiguration, in.ImageScanningConfiguration, in.Workflows, in.ExecutionRole)
	c.tags("tags", in.Tags, MaxTags)
	return c.err
}
