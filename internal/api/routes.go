package api

import (
	"net/http"
	"strconv"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

// routes registers every operation Goldsmith serves.
func (h *handler) routes() {
	s := h.svc
	h.handle("/", h.notImplemented)

	// Components.
	h.handle("PUT /CreateComponent", jsonOp(h, s.CreateComponent))
	h.handle("PUT /ImportComponent", jsonOp(h, s.ImportComponent))
	h.handle("GET /GetComponent", queryOp(h, "componentBuildVersionArn", s.GetComponent))
	h.handle("POST /ListComponents", jsonOp(h, s.ListComponents))
	h.handle("POST /ListComponentBuildVersions", jsonOp(h, s.ListComponentBuildVersions))
	h.handle("DELETE /DeleteComponent", queryOp(h, "componentBuildVersionArn", s.DeleteComponent))
	h.handle("GET /GetComponentPolicy", queryOp(h, "componentArn", s.GetComponentPolicy))
	h.handle("PUT /PutComponentPolicy", jsonOp(h, s.PutComponentPolicy))

	h.resourceRoutes()

	// Tags.
	h.handle("POST /tags/{resourceArn...}", h.tagResource)
	h.handle("DELETE /tags/{resourceArn...}", h.untagResource)
	h.handle("GET /tags/{resourceArn...}", h.listTags)
}

func (h *handler) tagResource(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.TagResource(r.Context(), account(r), r.PathValue("resourceArn"), in.Tags)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.write(w, r, out, false)
}

func (h *handler) untagResource(w http.ResponseWriter, r *http.Request) {
	out, err := h.svc.UntagResource(r.Context(), account(r), r.PathValue("resourceArn"), r.URL.Query()["tagKeys"])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.write(w, r, out, false)
}

func (h *handler) listTags(w http.ResponseWriter, r *http.Request) {
	out, err := h.svc.ListTagsForResource(r.Context(), account(r), r.PathValue("resourceArn"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.write(w, r, out, false)
}

// resourceRoutes registers recipes, configurations, pipelines, images and
// workflows.
func (h *handler) resourceRoutes() {
	s := h.svc
	h.handle("PUT /CreateImageRecipe", jsonOp(h, s.CreateImageRecipe))
	h.handle("GET /GetImageRecipe", queryOp(h, "imageRecipeArn", s.GetImageRecipe))
	h.handle("POST /ListImageRecipes", jsonOp(h, s.ListImageRecipes))
	h.handle("DELETE /DeleteImageRecipe", queryOp(h, "imageRecipeArn", s.DeleteImageRecipe))
	h.handle("GET /GetImageRecipePolicy", queryOp(h, "imageRecipeArn", s.GetImageRecipePolicy))
	h.handle("PUT /PutImageRecipePolicy", jsonOp(h, s.PutImageRecipePolicy))

	h.handle("PUT /CreateContainerRecipe", jsonOp(h, s.CreateContainerRecipe))
	h.handle("GET /GetContainerRecipe", queryOp(h, "containerRecipeArn", s.GetContainerRecipe))
	h.handle("POST /ListContainerRecipes", jsonOp(h, s.ListContainerRecipes))
	h.handle("DELETE /DeleteContainerRecipe", queryOp(h, "containerRecipeArn", s.DeleteContainerRecipe))
	h.handle("GET /GetContainerRecipePolicy", queryOp(h, "containerRecipeArn", s.GetContainerRecipePolicy))
	h.handle("PUT /PutContainerRecipePolicy", jsonOp(h, s.PutContainerRecipePolicy))

	h.handle("PUT /CreateInfrastructureConfiguration", jsonOp(h, s.CreateInfrastructureConfiguration))
	h.handle("PUT /UpdateInfrastructureConfiguration", jsonOp(h, s.UpdateInfrastructureConfiguration))
	h.handle("GET /GetInfrastructureConfiguration", queryOp(h, "infrastructureConfigurationArn", s.GetInfrastructureConfiguration))
	h.handle("POST /ListInfrastructureConfigurations", jsonOp(h, s.ListInfrastructureConfigurations))
	h.handle("DELETE /DeleteInfrastructureConfiguration", queryOp(h, "infrastructureConfigurationArn", s.DeleteInfrastructureConfiguration))

	h.handle("PUT /CreateDistributionConfiguration", jsonOp(h, s.CreateDistributionConfiguration))
	h.handle("PUT /UpdateDistributionConfiguration", jsonOp(h, s.UpdateDistributionConfiguration))
	h.handle("GET /GetDistributionConfiguration", queryOp(h, "distributionConfigurationArn", s.GetDistributionConfiguration))
	h.handle("POST /ListDistributionConfigurations", jsonOp(h, s.ListDistributionConfigurations))
	h.handle("DELETE /DeleteDistributionConfiguration", queryOp(h, "distributionConfigurationArn", s.DeleteDistributionConfiguration))

	h.handle("PUT /CreateImagePipeline", jsonOp(h, s.CreateImagePipeline))
	h.handle("PUT /UpdateImagePipeline", jsonOp(h, s.UpdateImagePipeline))
	h.handle("GET /GetImagePipeline", queryOp(h, "imagePipelineArn", s.GetImagePipeline))
	h.handle("POST /ListImagePipelines", jsonOp(h, s.ListImagePipelines))
	h.handle("DELETE /DeleteImagePipeline", queryOp(h, "imagePipelineArn", s.DeleteImagePipeline))
	h.handle("POST /ListImagePipelineImages", jsonOp(h, s.ListImagePipelineImages))
	h.handle("PUT /StartImagePipelineExecution", jsonOp(h, s.StartImagePipelineExecution))
	h.handle("PUT /CreateImage", jsonOp(h, s.CreateImage))
	h.handle("PUT /CancelImageCreation", jsonOp(h, s.CancelImageCreation))
	h.handle("GET /goldsmith/GetImageLog", h.getImageLog)

	h.handle("GET /GetImage", queryOp(h, "imageBuildVersionArn", s.GetImage))
	h.handle("POST /ListImages", jsonOp(h, s.ListImages))
	h.handle("POST /ListImageBuildVersions", jsonOp(h, s.ListImageBuildVersions))
	h.handle("POST /ListImagePackages", jsonOp(h, s.ListImagePackages))
	h.handle("DELETE /DeleteImage", queryOp(h, "imageBuildVersionArn", s.DeleteImage))
	h.handle("GET /GetImagePolicy", queryOp(h, "imageArn", s.GetImagePolicy))
	h.handle("PUT /PutImagePolicy", jsonOp(h, s.PutImagePolicy))

	h.handle("PUT /CreateWorkflow", jsonOp(h, s.CreateWorkflow))
	h.handle("GET /GetWorkflow", queryOp(h, "workflowBuildVersionArn", s.GetWorkflow))
	h.handle("POST /ListWorkflows", jsonOp(h, s.ListWorkflows))
	h.handle("POST /ListWorkflowBuildVersions", jsonOp(h, s.ListWorkflowBuildVersions))
	h.handle("DELETE /DeleteWorkflow", queryOp(h, "workflowBuildVersionArn", s.DeleteWorkflow))
	h.handle("POST /ListWorkflowExecutions", jsonOp(h, s.ListWorkflowExecutions))
	h.handle("GET /GetWorkflowExecution", queryOp(h, "workflowExecutionId", s.GetWorkflowExecution))
	h.handle("POST /ListWorkflowStepExecutions", jsonOp(h, s.ListWorkflowStepExecutions))
	h.handle("GET /GetWorkflowStepExecution", queryOp(h, "stepExecutionId", s.GetWorkflowStepExecution))
}

// getImageLog serves an image build's log as text from ?offset= (a
// Goldsmith operation, SigV4-signed like the others; `goldsmith logs`
// uses it). X-Goldsmith-Log-Size is the log's size and
// X-Goldsmith-Image-Status the image's state, so a follower knows when to
// stop; X-Goldsmith-Log-Attempt is the build attempt whose log it is, and
// X-Goldsmith-Log-Offset where the text starts (0 when ?attempt= names an
// earlier attempt: the build restarted and its log starts again).
func (h *handler) getImageLog(w http.ResponseWriter, r *http.Request) {
	var offset int64
	if v := r.URL.Query().Get("offset"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			h.fail(w, r, apierr.InvalidParameterValue("The value supplied for parameter 'offset' is not valid. Give a byte offset."))
			return
		}
		offset = n
	}
	// attempt: the build attempt whose log the client follows; when the
	// build has restarted since, the new attempt's log comes from its start.
	var attempt int
	if v := r.URL.Query().Get("attempt"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			h.fail(w, r, apierr.InvalidParameterValue("The value supplied for parameter 'attempt' is not valid. Give the build attempt (1, 2, ...) from X-Goldsmith-Log-Attempt."))
			return
		}
		attempt = n
	}
	lg, err := h.svc.FollowImageLog(r.Context(), account(r), r.URL.Query().Get("imageBuildVersionArn"), attempt, offset)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Goldsmith-Log-Size", strconv.FormatInt(lg.Size, 10))
	w.Header().Set("X-Goldsmith-Log-Offset", strconv.FormatInt(lg.Offset, 10))
	w.Header().Set("X-Goldsmith-Log-Attempt", strconv.Itoa(lg.Attempt))
	w.Header().Set("X-Goldsmith-Image-Status", string(lg.Status))
	_, _ = w.Write(lg.Data)
}
