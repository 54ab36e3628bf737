package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// TestLogsFollowExitStatus: goldsmith logs prints a build's log (exit 0)
// and, with --follow, exits 1 when the image ends other than AVAILABLE
// (here CANCELLED before any worker took it: an API-only server).
func TestLogsFollowExitStatus(t *testing.T) {
	noAWSSettings(t)
	srv := servertest.Start(t, server.Config{Build: server.BuildConfig{Workers: -1}})
	ctx, c := context.Background(), srv.Client
	comp, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("hello"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux,
		Data: aws.String("schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['true']}}]}]\n")})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("hello"), SemanticVersion: aws.String("1.0.0"),
		ParentImage: aws.String("debian-12"), Components: []types.ComponentConfiguration{{ComponentArn: comp.ComponentBuildVersionArn}}})
	if err != nil {
		t.Fatal(err)
	}
	infra, err := c.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("local"), InstanceProfileName: aws.String("none")})
	if err != nil {
		t.Fatal(err)
	}
	img, err := c.CreateImage(ctx, &imagebuilder.CreateImageInput{ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn})
	if err != nil {
		t.Fatal(err)
	}
	image := aws.ToString(img.ImageBuildVersionArn)
	base := []string{"logs", "--endpoint-url", srv.Endpoint, "--data-dir", srv.DataDir, "--interval", "10ms"}

	if code, stderr := runArgs(t, append(base, image)...); code != 0 {
		t.Errorf("logs of a pending build: exit %d, %s", code, stderr)
	}
	if _, err := c.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: img.ImageBuildVersionArn}); err != nil {
		t.Fatal(err)
	}
	code, stderr := runArgs(t, append(base, "--follow", image)...)
	if code != exitFailed || !strings.Contains(stderr, "the image is CANCELLED") {
		t.Errorf("logs --follow of a cancelled build: exit %d, %s; want 1 and the state", code, stderr)
	}
}

// TestLogsFollowRestartedBuild: `goldsmith logs --follow` on a build that
// restarts on another worker (the log starts again, shorter) says so,
// prints the new attempt's log from its start, and exits 0 when the image
// ends AVAILABLE.
func TestLogsFollowRestartedBuild(t *testing.T) {
	noAWSSettings(t)
	// What the server has, request by request: attempt 1's log grows, the
	// build restarts (attempt 2, a shorter log), then ends AVAILABLE.
	type state struct {
		attempt int
		log     string
		status  string
	}
	states := []state{
		{1, "attempt one, line one\n", "BUILDING"},
		{1, "attempt one, line one\nattempt one, line two\n", "BUILDING"},
		{2, "two\n", "BUILDING"},
		{2, "two\ndone\n", "AVAILABLE"},
	}
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		st := states[min(len(asked), len(states)-1)]
		q := r.URL.Query()
		asked = append(asked, q.Get("attempt")+"@"+q.Get("offset"))
		var offset int
		fmt.Sscan(q.Get("offset"), &offset)
		if a := q.Get("attempt"); a != "" && a != fmt.Sprint(st.attempt) {
			offset = 0 // the build restarted: the new attempt's log from its start
		}
		if offset > len(st.log) {
			http.Error(w, "offset beyond the log", http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Goldsmith-Log-Attempt", fmt.Sprint(st.attempt))
		w.Header().Set("X-Goldsmith-Log-Offset", fmt.Sprint(offset))
		w.Header().Set("X-Goldsmith-Image-Status", st.status)
		fmt.Fprint(w, st.log[offset:])
	}))
	defer srv.Close()
	dir := t.TempDir()
	if err := server.WriteCredentials(filepath.Join(dir, server.CredentialsFile), server.Profile,
		store.AccessKey{ID: "AKIAEXAMPLEKEY000001", Secret: "a-secret-of-some-length"}, "goldsmith-local-1"); err != nil {
		t.Fatal(err)
	}
	cmd := newLogsCommand()
	var out, notes bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&notes)
	cmd.SetArgs([]string{"--follow", "--interval", "10ms", "--data-dir", dir, "--endpoint-url", srv.URL,
		"arn:aws:imagebuilder:goldsmith-local-1:123456789012:image/web/1.0.0/1"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("logs --follow: %v (requests %v)", err, asked)
	}
	if want := "attempt one, line one\nattempt one, line two\ntwo\ndone\n"; out.String() != want {
		t.Errorf("printed %q, want %q (requests %v)", out.String(), want, asked)
	}
	if !strings.Contains(notes.String(), "restarted as attempt 2") {
		t.Errorf("no word of the restart on stderr: %q", notes.String())
	}
}

// noAWSSettings clears the AWS settings of the environment, so that
// goldsmith logs uses the profile in its --data-dir.
func noAWSSettings(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	for _, k := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
	}
}
