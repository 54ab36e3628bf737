package arn

// The Image Builder ARN shapes of the API model with their patterns, copied
// verbatim from the spec (Appendix B) by a script; keep them verbatim.

var (
	ComponentBuildVersionArn             = newShape("ComponentBuildVersionArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):component/[a-z0-9-_]+/[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$`)
	ComponentVersionArn                  = newShape("ComponentVersionArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):component/[a-z0-9-_]+/[0-9]+\.[0-9]+\.[0-9]+$`)
	ComponentVersionArnOrBuildVersionArn = newShape("ComponentVersionArnOrBuildVersionArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):component/[a-z0-9-_]+/(?:(?:([0-9]+|x)\.([0-9]+|x)\.([0-9]+|x))|(?:[0-9]+\.[0-9]+\.[0-9]+/[0-9]+))$`)
	ImageBuildVersionArn                 = newShape("ImageBuildVersionArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):image/[a-z0-9-_]+/[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$`)
	ImageVersionArn                      = newShape("ImageVersionArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):image/[a-z0-9-_]+/[0-9]+\.[0-9]+\.[0-9]+$`)
	ImageVersionArnOrBuildVersionArn     = newShape("ImageVersionArnOrBuildVersionArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):image/[a-z0-9-_]+/(?:(?:([0-9]+|x)\.([0-9]+|x)\.([0-9]+|x))|(?:[0-9]+\.[0-9]+\.[0-9]+/[0-9]+))$`)
	ImageRecipeArn                       = newShape("ImageRecipeArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):image-recipe/[a-z0-9-_]+/(?:[0-9]+|x)\.(?:[0-9]+|x)\.(?:[0-9]+|x)$`)
	ContainerRecipeArn                   = newShape("ContainerRecipeArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):container-recipe/[a-z0-9-_]+/(?:[0-9]+|x)\.(?:[0-9]+|x)\.(?:[0-9]+|x)$`)
	InfrastructureConfigurationArn       = newShape("InfrastructureConfigurationArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):infrastructure-configuration/[a-z0-9-_]+$`)
	DistributionConfigurationArn         = newShape("DistributionConfigurationArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):distribution-configuration/[a-z0-9-_]+$`)
	ImagePipelineArn                     = newShape("ImagePipelineArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):image-pipeline/[a-z0-9-_]+$`)
	LifecyclePolicyArn                   = newShape("LifecyclePolicyArn", `^arn:aws(?:-[a-z]+)*:imagebuilder:[a-z]{2,}(?:-[a-z]+)+-[0-9]+:(?:[0-9]{12}|aws):lifecycle-policy/[a-z0-9-_]+$`)
	WorkflowBuildVersionArn              = newShape("WorkflowBuildVersionArn", `^arn:aws(?:-[a-z]+)*:imagebuilder:[a-z]{2,}(?:-[a-z]+)+-[0-9]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):workflow/(build|test|distribution)/[a-z0-9-_]+/[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$`)
	WorkflowVersionArn                   = newShape("WorkflowVersionArn", `^arn:aws(?:-[a-z]+)*:imagebuilder:[a-z]{2,}(?:-[a-z]+)+-[0-9]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):workflow/(build|test|distribution)/[a-z0-9-_]+/[0-9]+\.[0-9]+\.[0-9]+$`)
	WorkflowVersionArnOrBuildVersionArn  = newShape("WorkflowVersionArnOrBuildVersionArn", `^arn:aws(?:-[a-z]+)*:imagebuilder:[a-z]{2,}(?:-[a-z]+)+-[0-9]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):workflow/(build|test|distribution)/[a-z0-9-_]+/(?:(?:([0-9]+|x)\.([0-9]+|x)\.([0-9]+|x))|(?:[0-9]+\.[0-9]+\.[0-9]+/[0-9]+))$`)
	WorkflowWildcardVersionArn           = newShape("WorkflowWildcardVersionArn", `^arn:aws(?:-[a-z]+)*:imagebuilder:[a-z]{2,}(?:-[a-z]+)+-[0-9]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):workflow/(build|test|distribution)/[a-z0-9-_]+/(?:[0-9]+|x)\.(?:[0-9]+|x)\.(?:[0-9]+|x)$`)
	WorkflowNameArn                      = newShape("WorkflowNameArn", `^arn:aws(?:-[a-z]+)*:imagebuilder:[a-z]{2,}(?:-[a-z]+)+-[0-9]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):workflow/(build|test|distribution)/[a-z0-9-_]+/x\.x\.x$`)
	ImageBuilderArn                      = newShape("ImageBuilderArn", `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):(?:image-recipe|container-recipe|infrastructure-configuration|distribution-configuration|component|image|image-pipeline|lifecycle-policy|workflow\/(?:build|test|distribution))/[a-z0-9-_]+(?:/(?:(?:x|[0-9]+)\.(?:x|[0-9]+)\.(?:x|[0-9]+))(?:/[0-9]+)?)?$`)
)

// Shapes lists every Image Builder ARN shape of the model.
var Shapes = []Shape{
	ComponentBuildVersionArn,
	ComponentVersionArn,
	ComponentVersionArnOrBuildVersionArn,
	ImageBuildVersionArn,
	ImageVersionArn,
	ImageVersionArnOrBuildVersionArn,
	ImageRecipeArn,
	ContainerRecipeArn,
	InfrastructureConfigurationArn,
	DistributionConfigurationArn,
	ImagePipelineArn,
	LifecyclePolicyArn,
	WorkflowBuildVersionArn,
	WorkflowVersionArn,
	WorkflowVersionArnOrBuildVersionArn,
	WorkflowWildcardVersionArn,
	WorkflowNameArn,
	ImageBuilderArn,
}
